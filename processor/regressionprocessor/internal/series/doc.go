// Package series identifies series and bounds how many are remembered.
//
// A Key is a 128-bit hash of a series' identity (the adapter hashes metric
// name, resource and point attributes, excluding the version attribute so a
// deploy does not start a new series). A Table keeps one value per key in a
// slab with an intrusive least-recently-seen list: it evicts the least
// recently seen series when full and expires series idle for longer than a
// TTL measured in data time. It owns no goroutine and reads no clock.
package series
