// The pod sandbox ("pause") process: holds the pod's namespaces and waits
// for SIGTERM/SIGINT. Built statically so the image needs nothing else.
package main

import (
	"os"
	"os/signal"
	"syscall"
)

func main() {
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGTERM, syscall.SIGINT)
	go func() {
		// Reap zombies: the sandbox is PID 1 of the pod when PID namespace is shared.
		children := make(chan os.Signal, 1)
		signal.Notify(children, syscall.SIGCHLD)
		for range children {
			for {
				var status syscall.WaitStatus
				pid, err := syscall.Wait4(-1, &status, syscall.WNOHANG, nil)
				if pid <= 0 || err != nil {
					break
				}
			}
		}
	}()
	<-signals
}
