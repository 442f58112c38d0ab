package bank

import "time"

func clock(t time.Time, d time.Duration) {
	_ = time.Now()                   // want `time.Now depends on the wall clock`
	_ = time.Since(t)                // want `time.Since depends on the wall clock`
	_ = time.Until(t)                // want `time.Until`
	_ = time.Tick(d)                 // want `time.Tick`
	_ = time.After(d)                // want `time.After depends`
	_ = time.AfterFunc(d, func() {}) // want `time.AfterFunc`
	_ = time.NewTimer(d)             // want `time.NewTimer`
	_ = time.NewTicker(d)            // want `time.NewTicker`
	time.Sleep(d)                    // want `time.Sleep`
	now := time.Now                  // want `time.Now`
	_ = now

	// Pure functions of their arguments, and methods sharing a clock
	// function's name, are not clock reads.
	_ = t.After(t)
	_ = t.Add(d)
	_ = time.Unix(0, 0)
	_ = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
}
