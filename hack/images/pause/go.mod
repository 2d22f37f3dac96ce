module nightshift.dev/pause

go 1.22
