package detlint

import (
	"fmt"
	"go/ast"
	"go/types"
	"strconv"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/types/typeutil"
)

// clockFuncs are the functions of package time that read or wait on the wall
// clock.
var clockFuncs = map[string]bool{
	"Now": true, "Since": true, "Until": true, "Tick": true, "After": true,
	"AfterFunc": true, "NewTimer": true, "NewTicker": true, "Sleep": true,
}

// mapIterators are the functions of package maps whose result iterates a map
// in its random order.
var mapIterators = map[string]bool{"Keys": true, "Values": true, "All": true}

// bannedImports are the packages consensus code may not import, with why.
var bannedImports = map[string]string{
	"math/rand":    "randomness",
	"math/rand/v2": "randomness",
	"crypto/rand":  "randomness",
	"unsafe":       "memory layout",
	"reflect":      "reflection",
}

// check returns f's findings in source order, before markers.
func check(pass *analysis.Pass, f *ast.File) []finding {
	var out []finding
	qual := types.RelativeTo(pass.Pkg)
	floatLines := map[int]bool{} // floats are reported once per line
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.ImportSpec:
			path, _ := strconv.Unquote(n.Path.Value)
			if why, ok := bannedImports[path]; ok {
				out = append(out, finding{n.Pos(), fmt.Sprintf("import of %q (%s)", path, why)})
			}
			return false
		case *ast.RangeStmt:
			if msg := rangeOverMap(pass.TypesInfo, n.X, qual); msg != "" {
				out = append(out, finding{n.For, msg})
			}
		case *ast.GoStmt:
			out = append(out, finding{n.Go, "go statement: scheduling differs between nodes"})
		case *ast.Ident:
			if fn, ok := pass.TypesInfo.Uses[n].(*types.Func); ok && isPkgFunc(fn, "time", clockFuncs) {
				out = append(out, finding{n.Pos(), fmt.Sprintf("time.%s depends on the wall clock", fn.Name())})
			}
		}
		if e, ok := n.(ast.Expr); ok {
			if line := pass.Fset.PositionFor(e.Pos(), false).Line; !floatLines[line] {
				if t := pass.TypesInfo.TypeOf(e); t != nil && hasFloat(t) {
					floatLines[line] = true
					out = append(out, finding{e.Pos(), fmt.Sprintf("float type %s", types.TypeString(t, qual))})
				}
			}
		}
		return true
	})
	return out
}

// rangeOverMap returns the finding for ranging over x if that iterates a map,
// or "".
func rangeOverMap(info *types.Info, x ast.Expr, qual types.Qualifier) string {
	if t := info.TypeOf(x); t != nil && isMap(t) {
		return fmt.Sprintf("range over a map (%s): iteration order is random", types.TypeString(t, qual))
	}
	if call, ok := ast.Unparen(x).(*ast.CallExpr); ok {
		if fn := typeutil.StaticCallee(info, call); isPkgFunc(fn, "maps", mapIterators) {
			return fmt.Sprintf("range over maps.%s: iteration order is random", fn.Name())
		}
	}
	return ""
}

// isMap reports whether ranging over a value of type t iterates a map: t's
// underlying type is a map, or t is a type parameter whose type set holds only
// maps.
func isMap(t types.Type) bool {
	switch u := t.Underlying().(type) {
	case *types.Map:
		return true
	case *types.Interface:
		_, isParam := types.Unalias(t).(*types.TypeParam)
		return isParam && onlyMaps(u)
	}
	return false
}

// onlyMaps reports whether some element of the constraint iface restricts its
// type set to maps. The type set is the intersection of the elements, so one
// such element suffices.
func onlyMaps(iface *types.Interface) bool {
	for i := range iface.NumEmbeddeds() {
		if termsAreMaps(iface.EmbeddedType(i)) {
			return true
		}
	}
	return false
}

// termsAreMaps reports whether every type that the constraint element t admits
// is a map.
func termsAreMaps(t types.Type) bool {
	if u, ok := t.(*types.Union); ok {
		for i := range u.Len() {
			if !termsAreMaps(u.Term(i).Type()) {
				return false
			}
		}
		return u.Len() > 0
	}
	switch u := t.Underlying().(type) {
	case *types.Map:
		return true
	case *types.Interface:
		return onlyMaps(u)
	}
	return false
}

// hasFloat reports whether t is a float or complex type (named or not, but
// typed), or a tuple or function signature with one among its components.
func hasFloat(t types.Type) bool {
	switch u := t.Underlying().(type) {
	case *types.Basic:
		return u.Info()&(types.IsFloat|types.IsComplex) != 0 && u.Info()&types.IsUntyped == 0
	case *types.Tuple:
		for v := range u.Variables() {
			if hasFloat(v.Type()) {
				return true
			}
		}
	case *types.Signature:
		return hasFloat(u.Params()) || hasFloat(u.Results())
	}
	return false
}

// isPkgFunc reports whether fn is a package-level function of the standard
// package path whose name is in names.
func isPkgFunc(fn *types.Func, path string, names map[string]bool) bool {
	if fn == nil || fn.Pkg() == nil || fn.Pkg().Path() != path || !names[fn.Name()] {
		return false
	}
	sig, _ := fn.Type().(*types.Signature)
	return sig != nil && sig.Recv() == nil
}
