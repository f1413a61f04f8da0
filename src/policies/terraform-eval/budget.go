// The budget of one evaluation. Terraform's language can build a huge value or loop a billion times in
// one expression (nested `for` over ranges, setproduct, format("%0999999999d", 1), replace or indent
// chains that multiply a string), and Go's WebAssembly memory is outside Node's heap limit. So every
// evaluation spends from one budget, counted, never timed, so that the same input always ends the same:
//   - every function result, every `for` iteration (its value, key and condition) and every part of a
//     template costs its size: a byte per byte of text, `elementCost` per value (a number also a byte per
//     digit it would print as);
//   - a function's arguments cost their size before it runs, and a function that can make far more than
//     it is given (`amplification` below) costs the most it could make, also before it runs, so that
//     nothing is built past the budget;
//   - once spent, it stays spent for the rest of the evaluation, so try() and can() cannot hide it.
// Past it, the evaluation ends in one error naming the limit, which the JavaScript side reports as it
// reports count's cap: the module is not read, and the check exits 2.
package main

import (
	"fmt"
	"math"
	"math/big"
	"regexp"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
)

// budget: what one evaluation may spend: 131072 small values or for iterations, or 2 MiB of text, far
// past any policy's expression (a trust policy is at most 4096 characters) and small enough that the
// worst expression ends in seconds.
const budget = 2 << 20

// elementCost: what one value (an element, a number, a for iteration) costs beside its text.
const elementCost = 16

// stepCost: what a `for` iteration or an interpolation costs beside its value's size: HCL's own work for
// one is far more than a value's, so the worst loop ends after 32768 of them.
const stepCost = 48

var spent int
var exceeded bool

// limitError: the budget was passed evaluating the expression at file:line.
type limitError struct {
	file string
	line int
}

func (limitError) Error() string {
	// Short enough for the report's one line; what counts is said above and in the README.
	return fmt.Sprintf("builds more than %d MiB of values, the limit per expression: not read", budget>>20)
}

var errBudget = fmt.Errorf("more than the %d MiB of values this check builds per expression", budget>>20)

// startBudget: a new evaluation spends from a full budget.
func startBudget() { spent, exceeded = 0, false }

// overBudget: the error to report for the expression at r, if its evaluation passed the budget.
func overBudget(r hcl.Range) error {
	if !exceeded {
		return nil
	}
	return limitError{file: r.Filename, line: r.Start.Line}
}

func charge(n float64) error {
	if exceeded || n > float64(budget-spent) {
		exceeded = true
		return errBudget
	}
	spent += int(n)
	return nil
}

// size: what a value costs, counted no further than past `limit`.
func size(v cty.Value, limit int) int {
	v, _ = v.Unmark()
	n := elementCost
	if !v.IsKnown() || v.IsNull() {
		return n
	}
	ty := v.Type()
	switch {
	case ty == cty.String:
		n += len(v.AsString())
	case ty == cty.Number:
		n += digits(v.AsBigFloat())
	case ty.IsCollectionType() || ty.IsObjectType() || ty.IsTupleType():
		for it := v.ElementIterator(); n <= limit && it.Next(); {
			k, e := it.Element()
			if ty.IsMapType() || ty.IsObjectType() {
				n += len(k.AsString())
			}
			n += size(e, limit-n)
		}
	}
	return n
}

// digits: about how many characters a number prints as in full (tostring, "${…}", %d, and the value
// handed back): its decimal exponent and its precision, squared past a few thousand since printing it
// takes that long, so that 1e999999 costs what printing it would.
func digits(f *big.Float) int {
	if f.IsInf() {
		return 0
	}
	exp := f.MantExp(nil)
	if exp < 0 {
		exp = -exp
	}
	d := exp*3/10 + int(f.MinPrec())/3
	return d + d/64*d/64
}

func chargeValue(v cty.Value) error {
	return charge(float64(size(v, budget-spent+1)))
}

// stepFunc: what a `for` iteration's value, key and condition and a template's interpolations pass
// through (see instrument): they cost their size, unchanged.
var stepFunc = function.New(&function.Spec{
	Params: []function.Parameter{{Name: "value", Type: cty.DynamicPseudoType, AllowUnknown: true, AllowNull: true, AllowDynamicType: true, AllowMarked: true}},
	Type:   func(args []cty.Value) (cty.Type, error) { return args[0].Type(), nil },
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		if err := charge(stepCost); err != nil {
			return cty.NilVal, err
		}
		return args[0], chargeValue(args[0])
	},
})

const step = "__step"

// instrument: an expression whose `for` iterations and template interpolations pass through stepFunc.
// HCL evaluates them inside its own nodes, so the nodes' parts are wrapped where parsed.
func instrument(expr hcl.Expression) {
	native, ok := expr.(hclsyntax.Node)
	if !ok {
		return
	}
	wrap := func(e hclsyntax.Expression) hclsyntax.Expression {
		if e == nil {
			return nil
		}
		r := e.Range()
		return &hclsyntax.FunctionCallExpr{Name: step, Args: []hclsyntax.Expression{e}, NameRange: r, OpenParenRange: r, CloseParenRange: r}
	}
	hclsyntax.VisitAll(native, func(node hclsyntax.Node) hcl.Diagnostics {
		switch n := node.(type) {
		case *hclsyntax.ForExpr:
			n.KeyExpr, n.ValExpr, n.CondExpr = wrap(n.KeyExpr), wrap(n.ValExpr), wrap(n.CondExpr)
		case *hclsyntax.TemplateExpr:
			for i, part := range n.Parts {
				// A number literal is printed in full: 1e999999999 costs its digits.
				if literal, ok := part.(*hclsyntax.LiteralValueExpr); !ok || literal.Val.Type() != cty.String {
					n.Parts[i] = wrap(part)
				}
			}
		}
		return nil
	})
}

// bounded: a function that spends from the budget: its arguments before its type is worked out (which
// for concat or merge of tuples and objects is as much work as the result), the most it could make
// before it runs, its result after.
func bounded(name string, f function.Function) function.Function {
	return function.New(&function.Spec{
		Params:   f.Params(),
		VarParam: f.VarParam(),
		Type: func(args []cty.Value) (cty.Type, error) {
			for _, a := range args {
				if err := chargeValue(a); err != nil {
					return cty.NilType, err
				}
			}
			return f.ReturnTypeForValues(args)
		},
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			if err := charge(amplification(name, args)); err != nil {
				return cty.NilVal, err
			}
			v, err := f.Call(args)
			if err != nil {
				return v, err
			}
			return v, chargeValue(v)
		},
	})
}

// amplification: the most a function can make beyond the size of its arguments, for those that can
// make far more (the others make at most a few times what they are given, which their result pays).
func amplification(name string, args []cty.Value) float64 {
	for _, a := range args {
		if !a.IsWhollyKnown() || a.IsNull() {
			return 0 // the function returns an unknown without building anything, or fails
		}
	}
	text := func(i int) string {
		if i < len(args) && args[i].Type() == cty.String {
			return args[i].AsString()
		}
		return ""
	}
	length := func(v cty.Value) float64 {
		if v.CanIterateElements() {
			return float64(v.LengthInt())
		}
		return 1
	}
	switch name {
	case "setproduct":
		product := 1.0
		for _, a := range args {
			product *= length(a)
		}
		return product * float64(elementCost*(len(args)+1))
	case "format":
		return widths(text(0))
	case "formatlist":
		n := 1.0
		for _, a := range args[1:] {
			if ty := a.Type(); ty.IsListType() || ty.IsTupleType() || ty.IsSetType() {
				n = math.Max(n, length(a))
			}
		}
		return n * (float64(len(text(0))+elementCost) + widths(text(0)))
	case "join":
		n := 0.0
		for _, a := range args[1:] {
			n += length(a)
		}
		return n * float64(len(text(0)))
	case "indent":
		if len(args) == 2 && args[0].Type() == cty.Number {
			spaces, _ := args[0].AsBigFloat().Float64()
			return math.Max(spaces, 0) * float64(strings.Count(text(1), "\n")+1)
		}
	case "replace":
		s, from, to := text(0), text(1), text(2)
		if len(from) > 1 && from[0] == '/' && from[len(from)-1] == '/' {
			// Matches do not overlap: at most one per position, and the groups `$…` repeats within each.
			return float64(len(s)+1)*float64(len(to)) + float64(strings.Count(to, "$")*len(s))
		}
		if from == "" {
			return float64(len(s)+1) * float64(len(to))
		}
		return float64(strings.Count(s, from)) * float64(len(to))
	case "split":
		if sep := text(0); sep != "" {
			return float64(strings.Count(text(1), sep)+1) * elementCost
		}
		return float64(len(text(1))+1) * elementCost
	case "regexall":
		if re, err := regexp.Compile(text(1)); err == nil {
			return float64(len(text(0))+1) * float64(re.NumSubexp()+1) * elementCost
		}
	case "jsonencode":
		// Escaping makes a byte up to six ("\u003c").
		total := 0.0
		for _, a := range args {
			total += 5 * float64(size(a, budget))
		}
		return total
	}
	return 0
}

// widths: the widths and precisions a format string asks for (`%0999999999d`), which its verbs pad to.
func widths(format string) float64 {
	total := 0.0
	for i := 0; i < len(format); i++ {
		if format[i] != '%' {
			continue
		}
		number := 0.0
		for i++; i < len(format) && strings.IndexByte("0123456789.-+# []", format[i]) >= 0; i++ {
			if c := format[i]; c >= '0' && c <= '9' {
				number = math.Min(number*10+float64(c-'0'), 1e12)
			} else {
				total, number = total+number, 0
			}
		}
		total += number
	}
	return total
}
