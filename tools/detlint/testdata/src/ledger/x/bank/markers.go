package bank

func markers(m map[string]int) {
	for range m { // nolint:determinism: a reason on the same line
	}

	// nolint:determinism: a reason alone on the line above
	for range m {
	}

	//nolint:determinism: without a space after the slashes
	go work()

	go func(x float64) {}(1) // nolint:determinism: covers every finding on its line

	go work() // nolint:determinism // want `nolint:determinism needs a reason` `go statement`

	// want +1 `nolint:determinism needs a reason`
	// nolint:determinism:
	go work() // want `go statement`

	// want +1 `nolint:determinism needs a reason`
	// nolint:determinism    because no colon
	go work() // want `go statement`

	// nolint:determinism: two lines above is too far
	//
	go work() // want `go statement`

	work()    // nolint:determinism: a marker after code covers its own line only
	go work() // want `go statement`

	go work() /* nolint:determinism: block comments are not markers */ // want `go statement`

	go work() // nolint:determinismx: another word // want `go statement`
}
