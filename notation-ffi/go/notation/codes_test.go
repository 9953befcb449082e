package notation

import (
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// headerCodes reads the result codes (name without NOTATION_RESULT_, and
// value) from the header the package is built with.
func headerCodes(t *testing.T) map[string]uint32 {
	t.Helper()
	header, err := os.ReadFile(headerPath)
	if err != nil {
		t.Fatal(err)
	}
	codes := map[string]uint32{}
	for _, m := range regexp.MustCompile(`(?m)^\s+NOTATION_RESULT_(\w+) = (\d+),?$`).FindAllSubmatch(header, -1) {
		v, err := strconv.ParseUint(string(m[2]), 10, 32)
		if err != nil {
			t.Fatal(err)
		}
		codes[string(m[1])] = uint32(v)
	}
	if len(codes) < 40 {
		t.Fatalf("found %d codes in %s", len(codes), headerPath)
	}
	return codes
}

// TestEveryCodeHasASentinel checks errors.go against notation.h: every C
// result code has a Code constant naming it and an Err sentinel of that
// code, named after it (CodeX, ErrX), and nothing else.
func TestEveryCodeHasASentinel(t *testing.T) {
	fset := token.NewFileSet()
	file, err := parser.ParseFile(fset, "errors.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	constOf := map[string]string{}   // C name -> Code constant
	sentinels := map[string]string{} // Err variable -> Code constant
	ast.Inspect(file, func(n ast.Node) bool {
		spec, ok := n.(*ast.ValueSpec)
		if !ok || len(spec.Names) != 1 || len(spec.Values) != 1 {
			return true
		}
		name := spec.Names[0].Name
		switch v := spec.Values[0].(type) {
		case *ast.SelectorExpr: // CodeX Code = C.NOTATION_RESULT_X
			if pkg, ok := v.X.(*ast.Ident); ok && pkg.Name == "C" && strings.HasPrefix(v.Sel.Name, "NOTATION_RESULT_") {
				constOf[strings.TrimPrefix(v.Sel.Name, "NOTATION_RESULT_")] = name
			}
		case *ast.UnaryExpr: // ErrX = &Error{Code: CodeX}
			lit, ok := v.X.(*ast.CompositeLit)
			if !ok || len(lit.Elts) != 1 || !strings.HasPrefix(name, "Err") {
				return true
			}
			if kv, ok := lit.Elts[0].(*ast.KeyValueExpr); ok {
				if id, ok := kv.Value.(*ast.Ident); ok {
					sentinels[name] = id.Name
				}
			}
		}
		return true
	})
	codes := headerCodes(t)
	for cName, value := range codes {
		goName, ok := constOf[cName]
		if !ok {
			t.Errorf("NOTATION_RESULT_%s (%d) has no Code constant", cName, value)
			continue
		}
		if cName == "OK" {
			continue
		}
		err := "Err" + strings.TrimPrefix(goName, "Code")
		if sentinels[err] != goName {
			t.Errorf("NOTATION_RESULT_%s: no sentinel %s = &Error{Code: %s}", cName, err, goName)
		}
		if Code(value).String() == "" || strings.HasPrefix(Code(value).String(), "unknown") {
			t.Errorf("NOTATION_RESULT_%s: the library does not know code %d", cName, value)
		}
	}
	if len(constOf) != len(codes) || len(sentinels) != len(codes)-1 {
		t.Errorf("%d codes in the header, %d Code constants, %d sentinels", len(codes), len(constOf), len(sentinels))
	}
	// A sentinel matches errors of its code, whatever their message.
	if !errors.Is(&Error{Code: CodeEnvelopeInvalid, Message: "x"}, ErrEnvelopeInvalid) ||
		errors.Is(&Error{Code: CodeEnvelopeInvalid}, ErrVerificationFailed) {
		t.Fatal("errors.Is by code")
	}
}
