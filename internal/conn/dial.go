package conn

// TEMPORARY shim until the SASL work lands; replaced wholesale.

import (
	"context"
	"sync"
)

var shimVersions sync.Map

func Dial(ctx context.Context, addr string, cfg Config) (*Conn, error) {
	c, err := Open(ctx, addr, cfg)
	if err != nil {
		return nil, err
	}
	v, err := Negotiate(ctx, c, "gokafka", "dev")
	if err != nil {
		c.Close()
		return nil, err
	}
	shimVersions.Store(c, v)
	return c, nil
}

func (c *Conn) Versions() Versions {
	v, _ := shimVersions.Load(c)
	return v.(Versions)
}
