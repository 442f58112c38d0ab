package bank

func work() {}

func spawn() {
	go work()   // want `go statement: scheduling differs between nodes`
	go func() { // want `go statement`
		work()
	}()
}
