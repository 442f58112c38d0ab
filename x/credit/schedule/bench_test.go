package schedule

import "testing"

// sink keeps the compiler from dropping the benchmarked calls.
var sink int

func benchmarkGenerate(b *testing.B, terms Terms) {
	b.ReportAllocs()
	for range b.N {
		s, err := Generate(terms)
		if err != nil {
			b.Fatal(err)
		}
		sink += len(s)
	}
}

// The credit module generates a schedule once per drawdown.
func BenchmarkGenerate(b *testing.B) {
	annuity := func(months uint32) Terms {
		return Terms{Principal: 100_000_000, RateBps: 490, Months: months, Method: EqualInstallments, Accrual: Monthly, Basis: 360, Start: day("2026-01-31")}
	}
	b.Run("annuity-12", func(b *testing.B) { benchmarkGenerate(b, annuity(12)) })
	b.Run("annuity-360", func(b *testing.B) { benchmarkGenerate(b, annuity(360)) })
	daily := annuity(360)
	daily.Method, daily.Accrual = EqualPrincipal, Daily
	b.Run("equal-principal-daily-360", func(b *testing.B) { benchmarkGenerate(b, daily) })
}

func BenchmarkReamortize(b *testing.B) {
	terms := Terms{Principal: 100_000_000, RateBps: 490, Months: 360, Method: EqualInstallments, Accrual: Monthly, Basis: 360, Start: day("2026-01-31")}
	s, err := Generate(terms)
	if err != nil {
		b.Fatal(err)
	}
	balance, _ := principalFrom(s, 2)
	balance /= 2
	b.ReportAllocs()
	for range b.N {
		got, err := Reamortize(terms, s, 2, s[0].Due+3, balance, LowerInstallment)
		if err != nil {
			b.Fatal(err)
		}
		sink += len(got)
	}
}
