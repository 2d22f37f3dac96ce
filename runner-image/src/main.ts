// Entry point of the story runner pod.
console.log(JSON.stringify({ msg: 'nightshift runner', node: process.version }));
