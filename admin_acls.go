package kafka

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/gokafka/kafka/protocol"
)

// ACL is one ACL binding: Principal may (or may not, by Permission) do
// Operation on the resources that ResourceName and PatternType match, from
// Host.
type ACL struct {
	ResourceType ACLResourceType
	ResourceName string // "*" with ACLPatternLiteral: every resource of the type
	// PatternType is how ResourceName matches; zero means
	// ACLPatternLiteral.
	PatternType ACLPatternType
	Principal   string // e.g. "User:alice", "User:*"
	Host        string // "" means "*", any host
	Operation   ACLOperation
	Permission  ACLPermission
}

// String describes the binding as Kafka's tools do, e.g.
// `ALLOW User:alice READ on TOPIC LITERAL "payments" from *`.
func (a ACL) String() string {
	return fmt.Sprintf("%s %s %s on %s %s %q from %s", a.Permission, a.Principal, a.Operation, a.ResourceType, a.PatternType, a.ResourceName, a.Host)
}

func (a ACL) compare(o ACL) int {
	return cmp.Or(cmp.Compare(a.ResourceType, o.ResourceType), strings.Compare(a.ResourceName, o.ResourceName),
		cmp.Compare(a.PatternType, o.PatternType), strings.Compare(a.Principal, o.Principal), strings.Compare(a.Host, o.Host),
		cmp.Compare(a.Operation, o.Operation), cmp.Compare(a.Permission, o.Permission))
}

// ACLFilter selects ACL bindings. Each zero field matches anything: an
// empty string any name, principal or host, a zero enum its "any" value.
// PatternType ACLPatternMatch selects the bindings that apply to
// ResourceName, whatever their pattern.
type ACLFilter struct {
	ResourceType ACLResourceType
	ResourceName string
	PatternType  ACLPatternType
	Principal    string
	Host         string
	Operation    ACLOperation
	Permission   ACLPermission
}

// wire returns the filter's fields as the protocol carries them.
func (f ACLFilter) wire() (rt int8, name *string, pt int8, principal, host *string, op, perm int8) {
	orAny := func(v int8) int8 {
		if v == 0 {
			return 1
		}
		return v
	}
	orNull := func(s string) *string {
		if s == "" {
			return nil
		}
		return &s
	}
	return orAny(int8(f.ResourceType)), orNull(f.ResourceName), orAny(int8(f.PatternType)), orNull(f.Principal), orNull(f.Host),
		orAny(int8(f.Operation)), orAny(int8(f.Permission))
}

// CreateACLs creates ACL bindings (Kafka 0.11+; pattern types other than
// literal need 2.0+), asking any broker.
//
// The map returned has an entry for every binding (nil when it was
// created); the error is nil when all were, and otherwise joins the
// [*OpError] of each that failed (INVALID_REQUEST for an unknown
// operation or permission, SECURITY_DISABLED without an authorizer).
func (c *Client) CreateACLs(ctx context.Context, acls ...ACL) (map[ACL]error, error) {
	results := make(map[ACL]error, len(acls))
	var todo []ACL
	for _, a := range acls {
		if a.PatternType == 0 {
			a.PatternType = ACLPatternLiteral
		}
		if a.Host == "" {
			a.Host = "*"
		}
		if _, dup := results[a]; !dup {
			results[a] = nil
			todo = append(todo, a)
		}
	}
	if len(todo) == 0 {
		return results, nil
	}
	err := c.adminAny(ctx, "create ACLs", protocol.KeyCreateACLs, func(b *broker, version int16) error {
		if version < 1 {
			for _, a := range todo {
				if a.PatternType != ACLPatternLiteral {
					return final{errBrokerTooOld("ACLs of pattern type "+a.PatternType.String(), "2.0")}
				}
			}
		}
		req := &protocol.CreateACLsRequest{}
		for _, a := range todo {
			req.Creations = append(req.Creations, protocol.CreateACLsRequestCreation{
				ResourceType: int8(a.ResourceType), ResourceName: a.ResourceName, ResourcePatternType: int8(a.PatternType),
				Principal: a.Principal, Host: a.Host, Operation: int8(a.Operation), PermissionType: int8(a.Permission),
			})
		}
		var resp protocol.CreateACLsResponse
		if err := b.request(ctx, connGeneral, req, &resp, version, 0); err != nil {
			return err
		}
		if len(resp.Results) != len(todo) {
			return fmt.Errorf("%w: %d results for %d ACLs", ErrUnknownServerError, len(resp.Results), len(todo))
		}
		for i, r := range resp.Results { // in request order
			if err := messageError(r.ErrorCode, r.ErrorMessage); err != nil {
				results[todo[i]] = b.opError("create ACL "+todo[i].String(), "", -1, err)
			} else {
				results[todo[i]] = nil
			}
		}
		return nil
	})
	if err != nil {
		for _, a := range todo {
			results[a] = err
		}
	}
	return results, joinErrs(results, ACL.compare)
}

// DescribeACLs returns the ACL bindings filter selects, sorted, asking any
// broker. Without an authorizer brokers answer [ErrSecurityDisabled].
func (c *Client) DescribeACLs(ctx context.Context, filter ACLFilter) ([]ACL, error) {
	var out []ACL
	err := c.adminAny(ctx, "describe ACLs", protocol.KeyDescribeACLs, func(b *broker, version int16) error {
		out = nil
		req := &protocol.DescribeACLsRequest{}
		req.ResourceTypeFilter, req.ResourceNameFilter, req.PatternTypeFilter, req.PrincipalFilter, req.HostFilter, req.Operation, req.PermissionType = filter.wire()
		if err := checkFilterVersion(req.PatternTypeFilter, version); err != nil {
			return err
		}
		var resp protocol.DescribeACLsResponse
		if err := b.request(ctx, connGeneral, req, &resp, version, 0); err != nil {
			return err
		}
		if err := messageError(resp.ErrorCode, resp.ErrorMessage); err != nil {
			return final{err}
		}
		for _, r := range resp.Resources {
			for _, a := range r.ACLs {
				out = append(out, ACL{ResourceType: ACLResourceType(r.ResourceType), ResourceName: r.ResourceName, PatternType: ACLPatternType(r.PatternType),
					Principal: a.Principal, Host: a.Host, Operation: ACLOperation(a.Operation), Permission: ACLPermission(a.PermissionType)})
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	sortACLs(out)
	return out, nil
}

// DeleteACLs deletes the ACL bindings each filter selects, asking any
// broker, and returns those deleted, sorted. A filter that fails, or a
// binding that could not be deleted, gets an [*OpError]; the error returned
// joins them, with the bindings that were deleted.
func (c *Client) DeleteACLs(ctx context.Context, filters ...ACLFilter) ([]ACL, error) {
	if len(filters) == 0 {
		return nil, nil
	}
	var (
		deleted []ACL
		errs    []error
	)
	err := c.adminAny(ctx, "delete ACLs", protocol.KeyDeleteACLs, func(b *broker, version int16) error {
		deleted, errs = nil, nil
		req := &protocol.DeleteACLsRequest{}
		for _, f := range filters {
			var w protocol.DeleteACLsRequestFilter
			w.ResourceTypeFilter, w.ResourceNameFilter, w.PatternTypeFilter, w.PrincipalFilter, w.HostFilter, w.Operation, w.PermissionType = f.wire()
			if err := checkFilterVersion(w.PatternTypeFilter, version); err != nil {
				return err
			}
			req.Filters = append(req.Filters, w)
		}
		var resp protocol.DeleteACLsResponse
		if err := b.request(ctx, connGeneral, req, &resp, version, 0); err != nil {
			return err
		}
		for i, r := range resp.FilterResults {
			if err := messageError(r.ErrorCode, r.ErrorMessage); err != nil {
				what := "delete ACLs"
				if i < len(filters) {
					what = fmt.Sprintf("delete ACLs matching filter %d", i)
				}
				errs = append(errs, b.opError(what, "", -1, err))
				continue
			}
			for _, m := range r.MatchingACLs {
				a := ACL{ResourceType: ACLResourceType(m.ResourceType), ResourceName: m.ResourceName, PatternType: ACLPatternType(m.PatternType),
					Principal: m.Principal, Host: m.Host, Operation: ACLOperation(m.Operation), Permission: ACLPermission(m.PermissionType)}
				if err := messageError(m.ErrorCode, m.ErrorMessage); err != nil {
					errs = append(errs, b.opError("delete ACL "+a.String(), "", -1, err))
				} else {
					deleted = append(deleted, a)
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	sortACLs(deleted)
	return deleted, errors.Join(errs...)
}

// checkFilterVersion refuses, before asking, a pattern filter that brokers
// before 2.0 (v0) cannot express.
func checkFilterVersion(pattern int8, version int16) error {
	if version < 1 && pattern != int8(ACLPatternLiteral) && pattern != int8(ACLPatternAny) {
		return final{errBrokerTooOld("ACL filters of pattern type "+ACLPatternType(pattern).String(), "2.0")}
	}
	return nil
}

func sortACLs(acls []ACL) {
	slices.SortFunc(acls, ACL.compare)
}
