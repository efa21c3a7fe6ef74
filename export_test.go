package kafka

import "time"

// SetSourceIdle sets how long c's idle fetch sources live on before they
// retire (sourceIdle, 10s, otherwise), so that a test can watch them go.
// Call it before c has a consumer: the sources read it unguarded.
func SetSourceIdle(c *Client, d time.Duration) { c.fetches.idle = d }
