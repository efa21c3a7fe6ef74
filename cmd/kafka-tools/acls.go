package main

import (
	"flag"
	"fmt"
	"strings"

	"github.com/gokafka/kafka"
)

// aclFlags are the fields of an ACL or a filter, as flags.
type aclFlags struct {
	resourceType, resourceName, pattern, principal, host, operation, permission *string
}

func defineACLFlags(fs *flag.FlagSet) aclFlags {
	return aclFlags{
		resourceType: fs.String("resource_type", "", "topic, group, cluster, transactional_id, delegation_token, user (list/delete: default any)"),
		resourceName: fs.String("resource_name", "", "the resource's `name` (\"*\": all of the type; cluster: kafka-cluster)"),
		pattern:      fs.String("pattern", "", "literal or prefixed (list/delete also any, match; default: literal to create, any otherwise)"),
		principal:    fs.String("principal", "", "e.g. `User:alice`"),
		host:         fs.String("host", "", "the client host (create default: *, any)"),
		operation:    fs.String("operation", "", "read, write, create, delete, alter, describe, all, describe_configs, alter_configs, idempotent_write..."),
		permission:   fs.String("permission", "", "allow or deny (create default: allow)"),
	}
}

// filter reads the flags as a filter: what is not given matches anything.
func (f aclFlags) filter() (kafka.ACLFilter, error) {
	var af kafka.ACLFilter
	var err error
	parse := func(s string, fn func(string) error) {
		if err == nil && s != "" {
			err = fn(s)
		}
	}
	parse(*f.resourceType, func(s string) (e error) { af.ResourceType, e = kafka.ParseACLResourceType(s); return })
	parse(*f.pattern, func(s string) (e error) { af.PatternType, e = kafka.ParseACLPatternType(s); return })
	parse(*f.operation, func(s string) (e error) { af.Operation, e = kafka.ParseACLOperation(s); return })
	parse(*f.permission, func(s string) (e error) { af.Permission, e = kafka.ParseACLPermission(s); return })
	if err != nil {
		return af, usageError{strings.TrimPrefix(err.Error(), "kafka: ")}
	}
	af.ResourceName, af.Principal, af.Host = *f.resourceName, *f.principal, *f.host
	if af.PatternType == 0 {
		af.PatternType = kafka.ACLPatternAny
	}
	return af, nil
}

// acl reads the flags as one ACL to create.
func (f aclFlags) acl() (kafka.ACL, error) {
	af, err := f.filter()
	if err != nil {
		return kafka.ACL{}, err
	}
	if *f.pattern == "" {
		af.PatternType = kafka.ACLPatternLiteral
	}
	if af.Permission == 0 {
		af.Permission = kafka.ACLPermissionAllow
	}
	switch {
	case af.ResourceType == 0 || af.ResourceType == kafka.ACLResourceAny:
		return kafka.ACL{}, usagef("create needs --resource_type")
	case af.ResourceName == "":
		return kafka.ACL{}, usagef("create needs --resource_name")
	case af.Principal == "":
		return kafka.ACL{}, usagef("create needs --principal")
	case af.Operation == 0 || af.Operation == kafka.ACLOperationAny:
		return kafka.ACL{}, usagef("create needs --operation")
	}
	return kafka.ACL(af), nil
}

func acls(fs *flag.FlagSet) func(e *env, args []string) error {
	f := defineACLFlags(fs)
	return func(e *env, args []string) error {
		var (
			shown []kafka.ACL
			err   error
			verb  string
		)
		switch strings.ToLower(args[0]) {
		case "list":
			af, ferr := f.filter()
			if ferr != nil {
				return ferr
			}
			shown, err = e.client.DescribeACLs(e.ctx, af)
			if err != nil {
				return err
			}
		case "create":
			a, ferr := f.acl()
			if ferr != nil {
				return ferr
			}
			if _, err = e.client.CreateACLs(e.ctx, a); err != nil {
				return err
			}
			if a.Host == "" {
				a.Host = "*"
			}
			shown, verb = []kafka.ACL{a}, "created"
		case "delete":
			af, ferr := f.filter()
			if ferr != nil {
				return ferr
			}
			if af == (kafka.ACLFilter{PatternType: kafka.ACLPatternAny}) {
				return usagef("delete needs at least one filter flag (it would delete every ACL)")
			}
			shown, err = e.client.DeleteACLs(e.ctx, af)
			verb = "deleted"
		default:
			return usagef("%q: want list, create or delete", args[0])
		}
		type aclJSON struct {
			ResourceType string `json:"resource_type"`
			ResourceName string `json:"resource_name"`
			Pattern      string `json:"pattern"`
			Principal    string `json:"principal"`
			Host         string `json:"host"`
			Operation    string `json:"operation"`
			Permission   string `json:"permission"`
		}
		rows := []aclJSON{}
		for _, a := range shown {
			rows = append(rows, aclJSON{a.ResourceType.String(), a.ResourceName, a.PatternType.String(), a.Principal, a.Host, a.Operation.String(), a.Permission.String()})
		}
		if e.global.json {
			if werr := writeJSON(e.stdout, rows); werr != nil {
				return werr
			}
			return err
		}
		if verb != "" {
			fmt.Fprintf(e.stdout, "%s %s\n", verb, count(len(rows), "ACL"))
			if len(rows) == 0 {
				return err
			}
		}
		var table [][]string
		for _, r := range rows {
			table = append(table, []string{r.ResourceType, r.ResourceName, r.Pattern, r.Principal, r.Host, r.Operation, r.Permission})
		}
		if werr := writeTable(e.stdout, []string{"RESOURCE TYPE", "NAME", "PATTERN", "PRINCIPAL", "HOST", "OPERATION", "PERMISSION"}, table); werr != nil {
			return werr
		}
		return err
	}
}
