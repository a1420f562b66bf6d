package detect

// streetMinDigits is the fewest digits a postal address holds: a house
// number and a postcode.
const streetMinDigits = 5

// nextStreet finds the next postal address in free text at or after from.
// Not built yet: it finds nothing.
func nextStreet(text []byte, from int) (start, end int, ok bool) {
	return 0, 0, false
}
