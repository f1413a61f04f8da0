// The trust check's Terraform evaluator: HashiCorp's own parser (hcl/v2, native and JSON syntax) and
// value system (cty, whose function library counts grapheme clusters with textseg and maps case as Go
// does for Unicode), built to WebAssembly (scripts/build.ts) so that Terraform means what Terraform
// means instead of what a hand-written imitation guessed. The few functions Terraform defines itself
// (replace with a /regex/, file, templatefile, fileset, length, one, …) are thin wrappers below.
//
// It is Go because that is what HashiCorp's libraries are written in; it is built against Debian's
// packages of them (GOPATH mode) so the build is reproducible from the distribution alone.
//
// The JavaScript side (src/policies/terraform.ts) decides what every reference means: it passes the
// values of `var.*`, `local.*`, `each.*`, `data.*`, … for each evaluation, with what it does not know as
// unknowns that carry how they are shown (`${var.org}`). Files are read only through the host object it
// passes, never from the file system: this program has none.
package main

import (
	"encoding/json"
	"fmt"
	"path"
	"regexp"
	"sort"
	"strings"
	"syscall/js"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/tryfunc"
	"github.com/hashicorp/hcl/v2/ext/typeexpr"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	hcljson "github.com/hashicorp/hcl/v2/json"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"
)

// Every expression parsed, by the id the parse result gives it.
var expressions []hcl.Expression

// The source text of each file parsed, for an expression's text.
var sources = map[string][]byte{}

// ---- parsing -------------------------------------------------------------------------------------

type attribute struct {
	ID      int         `json:"id"`
	Line    int         `json:"line"`
	Keyword string      `json:"keyword,omitempty"`
	Refs    []reference `json:"refs"`
}

type block struct {
	Type   string   `json:"type"`
	Labels []string `json:"labels"`
	Line   int      `json:"line"`
	Body   body     `json:"body"`
}

type body struct {
	Attributes map[string]attribute `json:"attributes"`
	Blocks     []block              `json:"blocks"`
}

// A static reference an expression makes: its root and the names and keys after it.
type reference struct {
	Steps []interface{} `json:"steps"`
	Text  string        `json:"text"`
}

// The blocks a JSON file may hold, since JSON cannot tell a block from an attribute without them: the
// top-level ones and, below, those the trust check reads (policy documents' statements and their parts).
type schema map[string]struct {
	labels int
	inner  schema
}

var documentSchema = schema{
	"statement": {0, statementSchema},
	"dynamic":   {1, schema{"content": {0, statementSchema}}},
}

var statementSchema = schema{
	"principals":     {0, nil},
	"not_principals": {0, nil},
	"condition":      {0, nil},
	"dynamic":        {1, schema{"content": {0, nil}}},
}

var topSchema = schema{
	"resource":  {2, documentSchema},
	"data":      {2, documentSchema},
	"module":    {1, nil},
	"variable":  {1, nil},
	"locals":    {0, nil},
	"output":    {1, nil},
	"terraform": {0, nil},
	"provider":  {1, nil},
}

func parse(file string, text string) (interface{}, error) {
	src := []byte(text)
	var f *hcl.File
	var diags hcl.Diagnostics
	if strings.HasSuffix(file, ".json") {
		f, diags = hcljson.Parse(src, file)
	} else {
		f, diags = hclsyntax.ParseConfig(src, file, hcl.Pos{Line: 1, Column: 1, Byte: 0})
	}
	if diags.HasErrors() {
		return nil, diagError(diags)
	}
	sources[file] = src
	b, err := readBody(f.Body, topSchema, file)
	if err != nil {
		return nil, err
	}
	return b, nil
}

func readBody(b hcl.Body, s schema, file string) (body, error) {
	out := body{Attributes: map[string]attribute{}, Blocks: []block{}}
	if native, ok := b.(*hclsyntax.Body); ok {
		for name, a := range native.Attributes {
			out.Attributes[name] = newAttribute(a.Expr, a.SrcRange.Start.Line)
		}
		for _, nb := range native.Blocks {
			inner, err := readBody(nb.Body, nil, file)
			if err != nil {
				return out, err
			}
			out.Blocks = append(out.Blocks, block{Type: nb.Type, Labels: append([]string{}, nb.Labels...), Line: nb.TypeRange.Start.Line, Body: inner})
		}
		sort.SliceStable(out.Blocks, func(i, j int) bool { return out.Blocks[i].Line < out.Blocks[j].Line })
		return out, nil
	}
	// JSON: the blocks the schema names, then every other property as an attribute.
	bs := &hcl.BodySchema{}
	for name, spec := range s {
		labels := make([]string, spec.labels)
		for i := range labels {
			labels[i] = fmt.Sprintf("l%d", i)
		}
		bs.Blocks = append(bs.Blocks, hcl.BlockHeaderSchema{Type: name, LabelNames: labels})
	}
	sort.Slice(bs.Blocks, func(i, j int) bool { return bs.Blocks[i].Type < bs.Blocks[j].Type })
	content, remain, diags := b.PartialContent(bs)
	if diags.HasErrors() {
		return out, diagError(diags)
	}
	for _, jb := range content.Blocks {
		inner := s[jb.Type].inner
		// A resource's or data source's body: the policy document's blocks, for those that are one.
		if (jb.Type == "resource" || jb.Type == "data") && !(len(jb.Labels) > 0 && jb.Labels[0] == "aws_iam_policy_document") {
			inner = schema{}
		}
		ib, err := readBody(jb.Body, inner, file)
		if err != nil {
			return out, err
		}
		out.Blocks = append(out.Blocks, block{Type: jb.Type, Labels: append([]string{}, jb.Labels...), Line: jb.DefRange.Start.Line, Body: ib})
	}
	attrs, diags := remain.JustAttributes()
	if diags.HasErrors() {
		return out, diagError(diags)
	}
	for name, a := range attrs {
		out.Attributes[name] = newAttribute(a.Expr, a.Range.Start.Line)
	}
	sort.SliceStable(out.Blocks, func(i, j int) bool { return out.Blocks[i].Line < out.Blocks[j].Line })
	return out, nil
}

func newAttribute(expr hcl.Expression, line int) attribute {
	expressions = append(expressions, expr)
	a := attribute{ID: len(expressions) - 1, Line: line, Keyword: hcl.ExprAsKeyword(expr), Refs: []reference{}}
	for _, t := range expr.Variables() {
		r := reference{Text: traversalText(t), Steps: []interface{}{}}
		for _, step := range t {
			switch s := step.(type) {
			case hcl.TraverseRoot:
				r.Steps = append(r.Steps, s.Name)
			case hcl.TraverseAttr:
				r.Steps = append(r.Steps, s.Name)
			case hcl.TraverseIndex:
				if s.Key.Type() == cty.Number {
					f, _ := s.Key.AsBigFloat().Float64()
					r.Steps = append(r.Steps, f)
				} else if s.Key.Type() == cty.String {
					r.Steps = append(r.Steps, s.Key.AsString())
				}
			}
		}
		a.Refs = append(a.Refs, r)
	}
	return a
}

func traversalText(t hcl.Traversal) string {
	var b strings.Builder
	for _, step := range t {
		switch s := step.(type) {
		case hcl.TraverseRoot:
			b.WriteString(s.Name)
		case hcl.TraverseAttr:
			b.WriteString("." + s.Name)
		case hcl.TraverseIndex:
			if s.Key.Type() == cty.String {
				k, _ := json.Marshal(s.Key.AsString())
				b.WriteString("[" + string(k) + "]")
			} else if s.Key.Type() == cty.Number {
				b.WriteString("[" + s.Key.AsBigFloat().Text('f', -1) + "]")
			}
		case hcl.TraverseSplat:
			b.WriteString("[*]")
		}
	}
	return b.String()
}

func exprText(expr hcl.Expression) string {
	r := expr.Range()
	src := sources[r.Filename]
	if r.Start.Byte < 0 || r.End.Byte > len(src) || r.Start.Byte > r.End.Byte {
		return "…"
	}
	return strings.TrimSpace(string(src[r.Start.Byte:r.End.Byte]))
}

// ---- values across the boundary --------------------------------------------------------------------
// A value is a tagged JSON object, so that nothing a policy writes can pass for an unknown:
// {"s":…} string, {"n":"1.5"} number, {"b":true}, {"z":true} null, {"l":[…]} list/tuple/set,
// {"o":{…}} object/map, {"u":"${var.org}"} unknown, with the text that shows it.

type tagged = map[string]interface{}

// decode: a tagged value; an unknown is cty's unknown, or, for the display evaluation, the text that shows it.
func decode(raw interface{}, display bool) (cty.Value, error) {
	t, ok := raw.(map[string]interface{})
	if !ok || len(t) != 1 {
		return cty.NilVal, fmt.Errorf("malformed value")
	}
	for tag, v := range t {
		switch tag {
		case "s":
			s, _ := v.(string)
			return cty.StringVal(s), nil
		case "n":
			s, _ := v.(string)
			return cty.ParseNumberVal(s)
		case "b":
			b, _ := v.(bool)
			return cty.BoolVal(b), nil
		case "z":
			return cty.NullVal(cty.DynamicPseudoType), nil
		case "u":
			if display {
				s, _ := v.(string)
				return cty.StringVal(s), nil
			}
			return cty.DynamicVal, nil
		case "l":
			items, _ := v.([]interface{})
			if len(items) == 0 {
				return cty.EmptyTupleVal, nil
			}
			vals := make([]cty.Value, len(items))
			for i, item := range items {
				d, err := decode(item, display)
				if err != nil {
					return cty.NilVal, err
				}
				vals[i] = d
			}
			return cty.TupleVal(vals), nil
		case "o":
			fields, _ := v.(map[string]interface{})
			if len(fields) == 0 {
				return cty.EmptyObjectVal, nil
			}
			vals := map[string]cty.Value{}
			for k, item := range fields {
				d, err := decode(item, display)
				if err != nil {
					return cty.NilVal, err
				}
				vals[k] = d
			}
			return cty.ObjectVal(vals), nil
		}
	}
	return cty.NilVal, fmt.Errorf("malformed value")
}

// encode gives a value as tagged JSON; an unknown part is shown as `unknown`.
func encode(v cty.Value, unknown string) interface{} {
	v, _ = v.UnmarkDeep()
	if !v.IsKnown() {
		return tagged{"u": unknown}
	}
	if v.IsNull() {
		return tagged{"z": true}
	}
	ty := v.Type()
	switch {
	case ty == cty.String:
		return tagged{"s": v.AsString()}
	case ty == cty.Number:
		return tagged{"n": v.AsBigFloat().Text('g', -1)}
	case ty == cty.Bool:
		return tagged{"b": v.True()}
	case ty.IsListType() || ty.IsSetType() || ty.IsTupleType():
		items := []interface{}{}
		for it := v.ElementIterator(); it.Next(); {
			_, e := it.Element()
			items = append(items, encode(e, unknown))
		}
		return tagged{"l": items}
	case ty.IsMapType() || ty.IsObjectType():
		fields := map[string]interface{}{}
		for it := v.ElementIterator(); it.Next(); {
			k, e := it.Element()
			fields[k.AsString()] = encode(e, unknown)
		}
		return tagged{"o": fields}
	}
	return tagged{"u": unknown}
}

// ---- evaluation ----------------------------------------------------------------------------------

type request struct {
	ID        int                    `json:"id"`
	Variables map[string]interface{} `json:"variables"`
}

// host: what the JavaScript side lends: read(path) → {text} | {error}, exists(path) → {exists} | {error},
// files(dir) → {names} | {error}. Paths are as the expression gives them; the host resolves them.
type host struct{ js.Value }

// lent: the host of the call in progress. JavaScript calls in one at a time, so the functions below,
// built once, read files through whichever host the current call lent.
var lent host

func (h host) read(p string) (string, error) {
	r := h.Call("read", p)
	if e := r.Get("error"); e.Truthy() {
		return "", fmt.Errorf("%s", e.String())
	}
	return r.Get("text").String(), nil
}

func evaluate(req request, h host) (interface{}, error) {
	lent = h
	if req.ID < 0 || req.ID >= len(expressions) {
		return nil, fmt.Errorf("no expression %d", req.ID)
	}
	expr := expressions[req.ID]
	vars := map[string]cty.Value{}
	shown := map[string]cty.Value{}
	given := map[string]bool{}
	for name, raw := range req.Variables {
		collectPlaceholders(raw, given)
		v, err := decode(raw, false)
		if err != nil {
			return nil, err
		}
		vars[name] = v
		shown[name], _ = decode(raw, true)
	}
	v, diags := expr.Value(&hcl.EvalContext{Variables: vars, Functions: functions(true)})
	if diags.HasErrors() {
		return nil, diagError(diags)
	}
	if v.IsWhollyKnown() {
		return encode(v, ""), nil
	}
	// How the unknown parts show: the same expression evaluated once more with each unknown given as
	// the text that shows it (`${var.org}`), so that `"repo:${var.org}/*"` or a jsonencode() of it keeps
	// its known text around the placeholder. That evaluation only shows: its value is used for a part
	// the real evaluation left unknown, and only if it still holds a placeholder, so nothing a function
	// did to the placeholder can pass for a known value. Otherwise the part shows as the expression.
	d := cty.NilVal
	restore := showChoices(expr, vars, given)
	if value, diags := expr.Value(&hcl.EvalContext{Variables: shown, Functions: functions(true)}); !diags.HasErrors() {
		d = value
	}
	restore()
	return show(v, d, "${"+exprText(expr)+"}", given), nil
}

// showChoices: for the display evaluation, each conditional that tests something not known shows as
// itself (`${var.x != "" ? … : …}`) instead of choosing a branch by the placeholder's text. It changes
// the parsed expression in place (calls come one at a time) and returns what puts it back; the
// placeholders it shows join those `given`.
func showChoices(expr hcl.Expression, vars map[string]cty.Value, given map[string]bool) func() {
	native, ok := expr.(hclsyntax.Node)
	if !ok {
		return func() {}
	}
	var undo []func()
	hclsyntax.VisitAll(native, func(node hclsyntax.Node) hcl.Diagnostics {
		c, ok := node.(*hclsyntax.ConditionalExpr)
		if !ok || !testsUnknown(c.Condition, vars) {
			return nil
		}
		condition, result := c.Condition, c.TrueResult
		text := "${" + exprText(c) + "}"
		admit(given, text)
		shown := &hclsyntax.LiteralValueExpr{Val: cty.StringVal(text), SrcRange: c.SrcRange}
		c.Condition, c.TrueResult = &hclsyntax.LiteralValueExpr{Val: cty.True, SrcRange: condition.Range()}, shown
		undo = append(undo, func() { c.Condition, c.TrueResult = condition, result })
		return nil
	})
	return func() {
		for _, u := range undo {
			u()
		}
	}
}

// testsUnknown: whether a condition refers to a value given as not wholly known (a for expression's own
// variables are not given: its conditions are tested as they are).
func testsUnknown(condition hclsyntax.Expression, vars map[string]cty.Value) bool {
	for _, t := range condition.Variables() {
		if _, given := vars[t.RootName()]; !given {
			continue
		}
		if v, diags := t.TraverseAbs(&hcl.EvalContext{Variables: vars}); diags.HasErrors() || !v.IsWhollyKnown() {
			return true
		}
	}
	return false
}

// collectPlaceholders: the placeholders the unknowns given show, which alone a shown part may hold.
func collectPlaceholders(raw interface{}, into map[string]bool) {
	switch t := raw.(type) {
	case map[string]interface{}:
		if u, ok := t["u"].(string); ok && len(t) == 1 {
			for _, p := range placeholder.FindAllString(u, -1) {
				admit(into, p)
			}
			return
		}
		for _, v := range t {
			collectPlaceholders(v, into)
		}
	case []interface{}:
		for _, v := range t {
			collectPlaceholders(v, into)
		}
	}
}

// admit: a placeholder a shown text may hold, as it is and as jsonencode() writes it inside a string.
func admit(given map[string]bool, text string) {
	given[text] = true
	if quoted, err := json.Marshal(text); err == nil {
		given[string(quoted[1:len(quoted)-1])] = true
	}
}

// showsGiven: a shown text holds placeholders, each one an unknown given shows (not one a function made).
func showsGiven(text string, given map[string]bool) bool {
	found := placeholder.FindAllString(text, -1)
	for _, p := range found {
		if !given[p] {
			return false
		}
	}
	return len(found) > 0
}

var placeholder = regexp.MustCompile(`\$\{[^}]+\}`)

// show: a value whose unknown parts show as the display evaluation gives them, where it still holds a
// placeholder there, and as the expression otherwise.
func show(v cty.Value, d cty.Value, expression string, given map[string]bool) interface{} {
	v, _ = v.UnmarkDeep()
	if d != cty.NilVal {
		d, _ = d.UnmarkDeep()
	}
	known := d != cty.NilVal && d.IsKnown() && !d.IsNull()
	if !v.IsKnown() {
		if known && d.Type() == cty.String && showsGiven(d.AsString(), given) {
			return tagged{"u": d.AsString()}
		}
		return tagged{"u": expression}
	}
	ty := v.Type()
	switch {
	case v.IsNull():
		return tagged{"z": true}
	case ty.IsListType() || ty.IsTupleType():
		var shown []cty.Value
		if known && (d.Type().IsListType() || d.Type().IsTupleType()) && d.LengthInt() == v.LengthInt() {
			shown = d.AsValueSlice()
		}
		items := []interface{}{}
		for i, e := range v.AsValueSlice() {
			if shown != nil {
				items = append(items, show(e, shown[i], expression, given))
			} else {
				items = append(items, show(e, cty.NilVal, expression, given))
			}
		}
		return tagged{"l": items}
	case ty.IsMapType() || ty.IsObjectType():
		var shown map[string]cty.Value
		if known && (d.Type().IsMapType() || d.Type().IsObjectType()) {
			shown = d.AsValueMap()
		}
		fields := map[string]interface{}{}
		for k, e := range v.AsValueMap() {
			if s, ok := shown[k]; ok {
				fields[k] = show(e, s, expression, given)
			} else {
				fields[k] = show(e, cty.NilVal, expression, given)
			}
		}
		return tagged{"o": fields}
	}
	// A set's elements cannot be paired with the display's: each unknown one shows as the expression.
	return encode(v, expression)
}

// ---- Terraform's functions -------------------------------------------------------------------------

var functionsWith, functionsWithout map[string]function.Function

// functions: Terraform's functions, with templatefile or (inside a template) without it.
func functions(withTemplatefile bool) map[string]function.Function {
	if functionsWith == nil {
		functionsWithout = buildFunctions()
		functionsWith = buildFunctions()
		functionsWith["templatefile"] = templatefileFunc()
	}
	if withTemplatefile {
		return functionsWith
	}
	return functionsWithout
}

func buildFunctions() map[string]function.Function {
	return map[string]function.Function{
		"abs": stdlib.AbsoluteFunc, "ceil": stdlib.CeilFunc, "chomp": stdlib.ChompFunc, "chunklist": stdlib.ChunklistFunc,
		"coalesce": coalesceFunc, "coalescelist": stdlib.CoalesceListFunc, "compact": stdlib.CompactFunc,
		"concat": stdlib.ConcatFunc, "contains": stdlib.ContainsFunc, "distinct": stdlib.DistinctFunc,
		"element": stdlib.ElementFunc, "flatten": stdlib.FlattenFunc, "floor": stdlib.FloorFunc, "format": stdlib.FormatFunc,
		"formatdate": stdlib.FormatDateFunc, "formatlist": stdlib.FormatListFunc, "indent": stdlib.IndentFunc,
		"index": stdlib.IndexFunc, "join": stdlib.JoinFunc, "jsondecode": stdlib.JSONDecodeFunc,
		"jsonencode": stdlib.JSONEncodeFunc, "keys": stdlib.KeysFunc, "log": stdlib.LogFunc, "lookup": stdlib.LookupFunc,
		"lower": stdlib.LowerFunc, "max": stdlib.MaxFunc, "merge": stdlib.MergeFunc, "min": stdlib.MinFunc,
		"parseint": stdlib.ParseIntFunc, "pow": stdlib.PowFunc, "range": stdlib.RangeFunc, "regex": stdlib.RegexFunc,
		"regexall": stdlib.RegexAllFunc, "reverse": stdlib.ReverseListFunc, "setintersection": stdlib.SetIntersectionFunc,
		"setproduct": stdlib.SetProductFunc, "setsubtract": stdlib.SetSubtractFunc, "setunion": stdlib.SetUnionFunc,
		"signum": stdlib.SignumFunc, "slice": stdlib.SliceFunc, "sort": stdlib.SortFunc, "split": stdlib.SplitFunc,
		"strrev": stdlib.ReverseFunc, "substr": stdlib.SubstrFunc, "title": stdlib.TitleFunc, "trim": stdlib.TrimFunc,
		"trimprefix": stdlib.TrimPrefixFunc, "trimspace": stdlib.TrimSpaceFunc, "trimsuffix": stdlib.TrimSuffixFunc,
		"upper": stdlib.UpperFunc, "values": stdlib.ValuesFunc, "zipmap": stdlib.ZipmapFunc,
		"tostring": stdlib.MakeToFunc(cty.String), "tonumber": stdlib.MakeToFunc(cty.Number), "tobool": stdlib.MakeToFunc(cty.Bool),
		"tolist": stdlib.MakeToFunc(cty.List(cty.DynamicPseudoType)), "toset": stdlib.MakeToFunc(cty.Set(cty.DynamicPseudoType)),
		"tomap": stdlib.MakeToFunc(cty.Map(cty.DynamicPseudoType)),
		"try": tryfunc.TryFunc, "can": tryfunc.CanFunc,
		"replace": replaceFunc, "length": lengthFunc, "one": oneFunc, "startswith": startsWithFunc, "endswith": endsWithFunc,
		"strcontains": strContainsFunc, "alltrue": allTrueFunc, "anytrue": anyTrueFunc, "sum": sumFunc,
		"sensitive": identityFunc, "nonsensitive": identityFunc,
		"basename": pathFunc(path.Base), "dirname": pathFunc(path.Dir),
		"file": fileFunc(), "fileexists": fileExistsFunc(), "fileset": filesetFunc(),
	}
}

var str = function.Parameter{Name: "str", Type: cty.String}

// replace: Terraform's, whose substring is a regular expression (RE2, `$1` in the replacement) when it
// is written between slashes.
var replaceFunc = function.New(&function.Spec{
	Params: []function.Parameter{str, {Name: "substr", Type: cty.String}, {Name: "replace", Type: cty.String}},
	Type:   function.StaticReturnType(cty.String),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		s, from, to := args[0].AsString(), args[1].AsString(), args[2].AsString()
		if len(from) > 1 && from[0] == '/' && from[len(from)-1] == '/' {
			re, err := regexp.Compile(from[1 : len(from)-1])
			if err != nil {
				return cty.NilVal, err
			}
			return cty.StringVal(re.ReplaceAllString(s, to)), nil
		}
		return cty.StringVal(strings.Replace(s, from, to, -1)), nil
	},
})

// length: Terraform's, in grapheme clusters for a string, elements for a collection.
var lengthFunc = function.New(&function.Spec{
	Params: []function.Parameter{{Name: "value", Type: cty.DynamicPseudoType, AllowDynamicType: true, AllowUnknown: true}},
	Type:   function.StaticReturnType(cty.Number),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		v := args[0]
		if v.Type() == cty.String {
			if !v.IsKnown() {
				return cty.UnknownVal(cty.Number), nil
			}
			return stdlib.Strlen(v)
		}
		switch ty := v.Type(); {
		case ty.IsObjectType():
			return cty.NumberIntVal(int64(len(ty.AttributeTypes()))), nil
		case ty.IsTupleType():
			return cty.NumberIntVal(int64(len(ty.TupleElementTypes()))), nil
		case !v.IsKnown():
			return cty.UnknownVal(cty.Number), nil
		case ty.IsListType() || ty.IsSetType() || ty.IsMapType():
			return v.Length(), nil
		}
		return cty.NilVal, fmt.Errorf("argument must be a string, a collection type, or a structural type")
	},
})

// coalesce: Terraform's, the first argument that is neither null nor an empty string.
var coalesceFunc = function.New(&function.Spec{
	VarParam: &function.Parameter{Name: "vals", Type: cty.DynamicPseudoType, AllowUnknown: true, AllowDynamicType: true, AllowNull: true},
	Type: func(args []cty.Value) (cty.Type, error) {
		types := make([]cty.Type, len(args))
		for i, a := range args {
			types[i] = a.Type()
		}
		ty, _ := convert.UnifyUnsafe(types)
		if ty == cty.NilType {
			return cty.NilType, fmt.Errorf("all arguments must have the same type")
		}
		return ty, nil
	},
	Impl: func(args []cty.Value, retType cty.Type) (cty.Value, error) {
		for _, a := range args {
			a, err := convert.Convert(a, retType)
			if err != nil {
				return cty.NilVal, err
			}
			if !a.IsKnown() {
				return cty.UnknownVal(retType), nil
			}
			if a.IsNull() || (retType == cty.String && a.AsString() == "") {
				continue
			}
			return a, nil
		}
		return cty.NilVal, fmt.Errorf("no non-null, non-empty-string arguments")
	},
})

var oneFunc = function.New(&function.Spec{
	Params: []function.Parameter{{Name: "list", Type: cty.DynamicPseudoType}},
	Type:   function.StaticReturnType(cty.DynamicPseudoType),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		v := args[0]
		if !v.CanIterateElements() || v.Type().IsMapType() || v.Type().IsObjectType() {
			return cty.NilVal, fmt.Errorf("must be a list, set, or tuple value")
		}
		switch v.LengthInt() {
		case 0:
			return cty.NullVal(cty.DynamicPseudoType), nil
		case 1:
			it := v.ElementIterator()
			it.Next()
			_, e := it.Element()
			return e, nil
		}
		return cty.NilVal, fmt.Errorf("must be a list, set, or tuple value with either zero or one elements")
	},
})

func stringTest(test func(s, p string) bool) function.Function {
	return function.New(&function.Spec{
		Params: []function.Parameter{str, {Name: "other", Type: cty.String}},
		Type:   function.StaticReturnType(cty.Bool),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			return cty.BoolVal(test(args[0].AsString(), args[1].AsString())), nil
		},
	})
}

var startsWithFunc = stringTest(strings.HasPrefix)
var endsWithFunc = stringTest(strings.HasSuffix)
var strContainsFunc = stringTest(strings.Contains)

func boolFold(all bool) function.Function {
	return function.New(&function.Spec{
		Params: []function.Parameter{{Name: "list", Type: cty.List(cty.Bool)}},
		Type:   function.StaticReturnType(cty.Bool),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			for it := args[0].ElementIterator(); it.Next(); {
				_, e := it.Element()
				if !e.IsKnown() {
					return cty.UnknownVal(cty.Bool), nil
				}
				if !e.IsNull() && e.True() != all {
					return cty.BoolVal(!all), nil
				}
				if e.IsNull() && all {
					return cty.False, nil
				}
			}
			return cty.BoolVal(all), nil
		},
	})
}

var allTrueFunc = boolFold(true)
var anyTrueFunc = boolFold(false)

var sumFunc = function.New(&function.Spec{
	Params: []function.Parameter{{Name: "list", Type: cty.List(cty.Number)}},
	Type:   function.StaticReturnType(cty.Number),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		if args[0].LengthInt() == 0 {
			return cty.NilVal, fmt.Errorf("cannot sum an empty list")
		}
		total := cty.Zero
		for it := args[0].ElementIterator(); it.Next(); {
			_, e := it.Element()
			if e.IsNull() {
				return cty.NilVal, fmt.Errorf("argument must be list, set, or tuple of number values")
			}
			total = total.Add(e)
		}
		return total, nil
	},
})

var identityFunc = function.New(&function.Spec{
	Params: []function.Parameter{{Name: "value", Type: cty.DynamicPseudoType, AllowNull: true}},
	Type:   func(args []cty.Value) (cty.Type, error) { return args[0].Type(), nil },
	Impl:   func(args []cty.Value, _ cty.Type) (cty.Value, error) { return args[0], nil },
})

func pathFunc(f func(string) string) function.Function {
	return function.New(&function.Spec{
		Params: []function.Parameter{{Name: "path", Type: cty.String}},
		Type:   function.StaticReturnType(cty.String),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			return cty.StringVal(f(args[0].AsString())), nil
		},
	})
}

func fileFunc() function.Function {
	return function.New(&function.Spec{
		Params: []function.Parameter{{Name: "path", Type: cty.String}},
		Type:   function.StaticReturnType(cty.String),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			text, err := lent.read(args[0].AsString())
			if err != nil {
				return cty.NilVal, err
			}
			return cty.StringVal(text), nil
		},
	})
}

func fileExistsFunc() function.Function {
	return function.New(&function.Spec{
		Params: []function.Parameter{{Name: "path", Type: cty.String}},
		Type:   function.StaticReturnType(cty.Bool),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			r := lent.Call("exists", args[0].AsString())
			if e := r.Get("error"); e.Truthy() {
				return cty.NilVal, fmt.Errorf("%s", e.String())
			}
			return cty.BoolVal(r.Get("exists").Bool()), nil
		},
	})
}

// fileset: Terraform's, the files under a folder whose path below it matches a glob (`*` and `?` within
// a name, `**` across folders, `[…]` classes), as a set of relative paths. The host lists the files.
func filesetFunc() function.Function {
	return function.New(&function.Spec{
		Params: []function.Parameter{{Name: "path", Type: cty.String}, {Name: "pattern", Type: cty.String}},
		Type:   function.StaticReturnType(cty.Set(cty.String)),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			r := lent.Call("files", args[0].AsString())
			if e := r.Get("error"); e.Truthy() {
				return cty.NilVal, fmt.Errorf("%s", e.String())
			}
			names := r.Get("names")
			pattern := strings.Split(path.Clean(args[1].AsString()), "/")
			matched := []cty.Value{}
			for i := 0; i < names.Length(); i++ {
				name := names.Index(i).String()
				ok, err := globMatch(pattern, strings.Split(name, "/"))
				if err != nil {
					return cty.NilVal, err
				}
				if ok {
					matched = append(matched, cty.StringVal(name))
				}
			}
			if len(matched) == 0 {
				return cty.SetValEmpty(cty.String), nil
			}
			return cty.SetVal(matched), nil
		},
	})
}

func globMatch(pattern, name []string) (bool, error) {
	if len(pattern) == 0 {
		return len(name) == 0, nil
	}
	if pattern[0] == "**" {
		for i := 0; i <= len(name); i++ {
			if ok, err := globMatch(pattern[1:], name[i:]); ok || err != nil {
				return ok, err
			}
		}
		return false, nil
	}
	if len(name) == 0 {
		return false, nil
	}
	ok, err := path.Match(pattern[0], name[0])
	if !ok || err != nil {
		return false, err
	}
	return globMatch(pattern[1:], name[1:])
}

// templatefile: Terraform's, a template file evaluated with the variables given and every function
// but templatefile itself.
func templatefileFunc() function.Function {
	return function.New(&function.Spec{
		Params: []function.Parameter{{Name: "path", Type: cty.String}, {Name: "vars", Type: cty.DynamicPseudoType}},
		Type:   function.StaticReturnType(cty.String),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			name := args[0].AsString()
			text, err := lent.read(name)
			if err != nil {
				return cty.NilVal, err
			}
			return renderTemplate(name, text, args[1])
		},
	})
}

// renderTemplate: a template's text evaluated with the variables given (every one it names must be
// there) and every function but templatefile, as templatefile() and the template provider do.
func renderTemplate(name string, text string, vars cty.Value) (cty.Value, error) {
	expr, diags := hclsyntax.ParseTemplate([]byte(text), name, hcl.Pos{Line: 1, Column: 1})
	if diags.HasErrors() {
		return cty.NilVal, diagError(diags)
	}
	if !vars.IsKnown() {
		return cty.UnknownVal(cty.String), nil
	}
	if !vars.Type().IsObjectType() && !vars.Type().IsMapType() {
		return cty.NilVal, fmt.Errorf("invalid vars value: must be a map")
	}
	ctx := &hcl.EvalContext{Variables: map[string]cty.Value{}, Functions: functions(false)}
	if vars.LengthInt() > 0 {
		ctx.Variables = vars.AsValueMap()
	}
	for _, t := range expr.Variables() {
		if _, ok := ctx.Variables[t.RootName()]; !ok {
			return cty.NilVal, fmt.Errorf("%s:%d: vars map does not contain key %q", name, t.SourceRange().Start.Line, t.RootName())
		}
	}
	v, diags := expr.Value(ctx)
	if diags.HasErrors() {
		return cty.NilVal, diagError(diags)
	}
	return convert.Convert(v, cty.String)
}

// convertTo: a variable's value as Terraform takes it for the variable's type: converted, with the
// defaults of its optional() attributes. A value not wholly known is left as it is.
func convertTo(id int, raw interface{}) (interface{}, error) {
	if id < 0 || id >= len(expressions) {
		return nil, fmt.Errorf("no expression %d", id)
	}
	expr := expressions[id]
	if _, native := expr.(hclsyntax.Expression); !native {
		// In a .tf.json file, the type is a string holding the native expression.
		v, diags := expr.Value(nil)
		if diags.HasErrors() || v.Type() != cty.String || v.IsNull() || !v.IsKnown() {
			return nil, fmt.Errorf("a variable's type must be a string holding a type")
		}
		parsed, diags := hclsyntax.ParseExpression([]byte(v.AsString()), expr.Range().Filename, expr.Range().Start)
		if diags.HasErrors() {
			return nil, diagError(diags)
		}
		expr = parsed
	}
	ty, defaults, diags := typeexpr.TypeConstraintWithDefaults(expr)
	if diags.HasErrors() {
		return nil, diagError(diags)
	}
	v, err := decode(raw, false)
	if err != nil {
		return nil, err
	}
	if !v.IsWhollyKnown() {
		return raw, nil
	}
	if defaults != nil {
		v = defaults.Apply(v)
	}
	v, err = convert.Convert(v, ty)
	if err != nil {
		return nil, fmt.Errorf("the value is not of the variable's type %s: %s", typeexpr.TypeString(ty), err)
	}
	return encode(v, ""), nil
}

// ---- the boundary ------------------------------------------------------------------------------------

func diagError(diags hcl.Diagnostics) error {
	for _, d := range diags {
		if d.Severity == hcl.DiagError {
			return diagnostic{d}
		}
	}
	return fmt.Errorf("%s", diags.Error())
}

type diagnostic struct{ *hcl.Diagnostic }

func (d diagnostic) Error() string {
	if d.Detail != "" {
		return d.Summary + ": " + d.Detail
	}
	return d.Summary
}

// respond: {"ok": result} or {"error": message, "file", "line"}.
func respond(result interface{}, err error) string {
	out := map[string]interface{}{}
	if err != nil {
		out["error"] = err.Error()
		if d, ok := err.(diagnostic); ok && d.Subject != nil {
			out["file"] = d.Subject.Filename
			out["line"] = d.Subject.Start.Line
		}
	} else {
		out["ok"] = result
	}
	text, e := json.Marshal(out)
	if e != nil {
		text, _ = json.Marshal(map[string]string{"error": e.Error()})
	}
	return string(text)
}

func guarded(f func(args []js.Value) (interface{}, error)) js.Func {
	return js.FuncOf(func(_ js.Value, args []js.Value) (out interface{}) {
		defer func() {
			if p := recover(); p != nil {
				out = respond(nil, fmt.Errorf("the evaluator failed: %v", p))
			}
		}()
		return respond(f(args))
	})
}

func main() {
	api := js.Global().Get("Object").New()
	api.Set("parse", guarded(func(args []js.Value) (interface{}, error) {
		return parse(args[0].String(), args[1].String())
	}))
	api.Set("evaluate", guarded(func(args []js.Value) (interface{}, error) {
		var req request
		if err := json.Unmarshal([]byte(args[0].String()), &req); err != nil {
			return nil, err
		}
		return evaluate(req, host{args[1]})
	}))
	api.Set("template", guarded(func(args []js.Value) (interface{}, error) {
		var raw interface{}
		if err := json.Unmarshal([]byte(args[2].String()), &raw); err != nil {
			return nil, err
		}
		vars, err := decode(raw, false)
		if err != nil {
			return nil, err
		}
		lent = host{args[3]}
		v, err := renderTemplate(args[0].String(), args[1].String(), vars)
		if err != nil {
			return nil, err
		}
		if v.IsWhollyKnown() {
			return encode(v, ""), nil
		}
		// Shown as an expression's value is: rendered once more with each unknown as its placeholder.
		given := map[string]bool{}
		collectPlaceholders(raw, given)
		shown, _ := decode(raw, true)
		d, err := renderTemplate(args[0].String(), args[1].String(), shown)
		if err != nil {
			d = cty.NilVal
		}
		return show(v, d, args[4].String(), given), nil
	}))
	api.Set("convert", guarded(func(args []js.Value) (interface{}, error) {
		var raw interface{}
		if err := json.Unmarshal([]byte(args[1].String()), &raw); err != nil {
			return nil, err
		}
		return convertTo(args[0].Int(), raw)
	}))
	js.Global().Set("terraformEvaluator", api)
	select {}
}
