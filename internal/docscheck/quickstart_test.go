package docscheck

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"regexp"
	"strings"
	"testing"
)

// readmeQuickstart is the first Go block of the README's Quickstart section.
var readmeQuickstart = regexp.MustCompile("(?s)\n## Quickstart\n.*?```go\n(.*?)```")

// TestReadmeQuickstartIsTheExample checks that the README's quickstart is
// the quickstart function of examples/quickstart, which TestExamples runs,
// so that the code a new user copies first is known to work.
func TestReadmeQuickstartIsTheExample(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	m := readmeQuickstart.FindSubmatch(readme)
	if m == nil {
		t.Fatal("README.md: no ```go block under \"## Quickstart\"")
	}
	const path = "../../examples/quickstart/main.go"
	example, err := exampleFunc(path, "quickstart")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := normalize(string(m[1])), normalize(example); got != want {
		gl, wl := strings.Split(got, "\n"), strings.Split(want, "\n")
		for i := range max(len(gl), len(wl)) {
			var g, w string
			if i < len(gl) {
				g = gl[i]
			}
			if i < len(wl) {
				w = wl[i]
			}
			if g != w {
				t.Fatalf("README.md's quickstart differs from func quickstart in %s at its line %d:\nREADME:  %q\nexample: %q", path, i+1, g, w)
			}
		}
	}
}

// exampleFunc returns the source of the top-level function name in the Go
// file at path, from "func" to its closing brace.
func exampleFunc(path, name string) (string, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, path, src, 0)
	if err != nil {
		return "", err
	}
	for _, d := range f.Decls {
		if fd, ok := d.(*ast.FuncDecl); ok && fd.Recv == nil && fd.Name.Name == name {
			return string(src[fset.Position(fd.Pos()).Offset:fset.Position(fd.End()).Offset]), nil
		}
	}
	return "", &os.PathError{Op: "find func " + name, Path: path, Err: os.ErrNotExist}
}

// normalize drops trailing spaces and surrounding blank lines, which
// Markdown editors change freely.
func normalize(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " \t")
	}
	return strings.Join(lines, "\n")
}
