package generate

import "math/rand/v2"

// wtab is a weighted choice among ints.
type wtab struct {
	v     []int
	w     []int
	total int
}

// weights builds a wtab from value, weight pairs.
func weights(pairs ...int) wtab {
	var t wtab
	for i := 0; i+1 < len(pairs); i += 2 {
		t.v = append(t.v, pairs[i])
		t.w = append(t.w, pairs[i+1])
		t.total += pairs[i+1]
	}
	return t
}

func (t *wtab) pick(r *rand.Rand) int {
	x := r.IntN(t.total)
	for i, w := range t.w {
		if x < w {
			return t.v[i]
		}
		x -= w
	}
	return t.v[len(t.v)-1]
}

// chance is true with probability pct/100.
func chance(r *rand.Rand, pct int) bool { return r.IntN(100) < pct }

// expDays is an exponentially distributed number of days with the given mean.
func expDays(r *rand.Rand, mean float64) day {
	x := r.ExpFloat64() * mean
	if x > 5000 {
		x = 5000
	}
	return day(x)
}

var (
	familySize = weights(1, 65, 2, 15, 3, 10, 4, 6, 5, 4)
	resCount   = weights(0, 28, 1, 50, 2, 18, 3, 4)
	sideCount  = weights(0, 60, 1, 35, 2, 5)
	resKinds   = weights(kES, 28, kNbN, 20, kTH, 9, kPSH, 7, kSH, 2, kPHO, 3, kPHS, 3, kRRHSO, 4, kRRH, 20)
	sideKinds  = weights(kSO, 30, kSSO, 30, kOT, 10, kDS, 8, kHP, 12, kCE, 8)

	// Open/closed mix of stays in projects with a SPEC P2 inactivity window.
	inactivityClass = weights(classExited, 50, classRecent, 20, classAlert, 8, classPast, 22)

	// Destinations (3.12) by how the stay ended.
	destHoused = weights(410, 25, 411, 3, 421, 2, 422, 10, 423, 5, 426, 1, 435, 30, 24, 2, 30, 7, 99, 3, 116, 3,
		312, 5, 17, 2, 207, 2)
	destHomeless = weights(116, 12, 101, 12, 118, 2, 302, 5, 312, 12, 313, 6, 314, 4, 327, 1, 329, 1, 332, 1, 204, 2,
		205, 2, 206, 2, 207, 3, 215, 1, 225, 1, 410, 8, 411, 1, 421, 1, 422, 6, 423, 3, 426, 1, 435, 6, 8, 1, 9, 1,
		17, 2, 24, 1, 30, 10, 99, 6)
	destHousedBefore = weights(410, 30, 411, 5, 421, 3, 422, 8, 423, 4, 435, 15, 312, 6, 313, 3, 116, 3, 101, 3, 30, 10,
		99, 5, 17, 2, 8, 1, 9, 1, 24, 1)
	subsidyTypes = weights(419, 5, 420, 10, 428, 2, 431, 20, 433, 20, 434, 8, 436, 2, 437, 3, 438, 2, 439, 18, 440, 10)

	livingHomeless = weights(116, 40, 101, 35, 118, 3, 302, 5, 312, 6, 313, 4, 314, 3, 204, 1, 206, 1, 207, 2)
	livingAtRisk   = weights(410, 35, 411, 5, 422, 10, 423, 5, 435, 15, 312, 15, 313, 10, 314, 5)
	clsSO          = weights(116, 80, 101, 10, 118, 2, 312, 3, 313, 2, 314, 3)
	clsCE          = weights(116, 30, 101, 35, 312, 10, 313, 8, 314, 5, 410, 5, 435, 2, 302, 5)
	ceEvents       = weights(1, 3, 2, 10, 3, 8, 4, 10, 5, 3, 6, 5, 7, 10, 8, 3, 10, 12, 11, 6, 12, 2, 13, 12, 14, 8, 15, 4, 17, 4)
	otherDests     = []string{"Moved in with a partner out of state", "Returned to home country", "Hotel paid by church",
		"Staying in a vehicle owned by a relative"}
	destSubsidy = map[int]int{3: 439, 9: 440, 10: 440, 13: 431} // SPEC PD4: PH project type → subsidy
)

const (
	classExited = iota
	classRecent
	classAlert
	classPast
)
