// Command render renders a Helm chart the way `helm template` does, for tests/deploy/helm/check.sh on
// machines that have no helm binary and cannot download one.
//
// The template engine is the real one: Go's text/template with Masterminds' Sprig function library,
// the two pieces Helm itself is built on, both taken from Debian's packages (Go 1.19, Sprig 3.2.3).
// What this file adds is Helm's thin layer around them, written from Helm's documented behaviour:
//   - the values: values.yaml coalesced with the -f files (maps merged, a null deleting a default),
//     parsed as Helm does (YAML through JSON, so numbers are float64), then validated against
//     values.schema.json with gojsonschema, the validator of Helm 3 up to 3.17;
//   - the objects .Values, .Chart (from Chart.yaml, including its kubeVersion constraint), .Release,
//     .Capabilities (APIVersions.Has, KubeVersion; --api-versions adds versions as helm's flag does),
//     .Template and .Files (the chart's files outside templates/, as Helm's directory loader keeps them
//     after .helmignore, with Get, GetBytes, Glob, AsConfig, AsSecrets and Lines);
//   - Helm's functions: include, tpl, required, toYaml, fromYaml, fromYamlArray, toJson, fromJson,
//     fromJsonArray and lookup (an empty map, as in `helm template`), with Sprig's env and expandenv removed;
//   - all files under templates/ parsed into one template set named CHART/templates/FILE, files whose
//     name starts with "_" not rendered, "<no value>" removed from the output, missingkey=zero, or
//     missingkey=error with --strict (as `helm lint --strict`), NOTES.txt rendered separately.
//
// Not covered: chart dependencies (subcharts), toToml/fromToml, post-renderers and the install-order
// sorting of the output (documents come in template file order).
package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"text/template"

	"github.com/Masterminds/semver"
	"github.com/Masterminds/sprig"
	"github.com/ghodss/yaml"
	"github.com/xeipuuv/gojsonschema"
)

// Values is the type of .Values, as chartutil.Values in Helm.
type Values map[string]interface{}

// Metadata is the part of Chart.yaml that templates read as .Chart (Helm's chart.Metadata).
type Metadata struct {
	Name        string            `json:"name"`
	Home        string            `json:"home,omitempty"`
	Sources     []string          `json:"sources,omitempty"`
	Version     string            `json:"version"`
	Description string            `json:"description,omitempty"`
	Keywords    []string          `json:"keywords,omitempty"`
	Icon        string            `json:"icon,omitempty"`
	APIVersion  string            `json:"apiVersion"`
	Condition   string            `json:"condition,omitempty"`
	Tags        string            `json:"tags,omitempty"`
	AppVersion  string            `json:"appVersion,omitempty"`
	Deprecated  bool              `json:"deprecated,omitempty"`
	Annotations map[string]string `json:"annotations,omitempty"`
	KubeVersion string            `json:"kubeVersion,omitempty"`
	Type        string            `json:"type,omitempty"`
}

// VersionSet is .Capabilities.APIVersions.
type VersionSet []string

// Has reports whether the set contains the version ("group/version" or "group/version/Kind").
func (v VersionSet) Has(apiVersion string) bool {
	for _, x := range v {
		if x == apiVersion {
			return true
		}
	}
	return false
}

// KubeVersion is .Capabilities.KubeVersion.
type KubeVersion struct {
	Version string
	Major   string
	Minor   string
}

func (k KubeVersion) String() string     { return k.Version }
func (k KubeVersion) GitVersion() string { return k.Version }

// Capabilities is .Capabilities.
type Capabilities struct {
	APIVersions VersionSet
	KubeVersion KubeVersion
	HelmVersion map[string]string
}

// Files is .Files, Helm's engine.files: the chart's files by slash-separated path, minus what Helm's
// loader takes for itself (Chart.yaml, Chart.lock, values.yaml, values.schema.json, requirements.*,
// templates/ and charts/). The methods behave as Helm's pkg/engine/files.go.
type Files map[string][]byte

// GetBytes returns a file's contents, nil (and a warning, as Helm logs one) for a missing file.
func (f Files) GetBytes(name string) []byte {
	if v, ok := f[name]; ok {
		return v
	}
	fmt.Fprintf(os.Stderr, "WARNING: %s not included\n", name)
	return nil
}

func (f Files) Get(name string) string { return string(f.GetBytes(name)) }

// Glob returns the files whose path matches pattern, with gobwas/glob's syntax and '/' as the
// separator, as Helm compiles it: * and ? stay within a path segment, ** crosses them, [...] and [!...]
// are classes, {a,b} alternatives; a pattern that does not compile matches everything (Helm falls back to "**").
func (f Files) Glob(pattern string) Files {
	re, err := globRegexp(pattern)
	out := Files{}
	for name, data := range f {
		if err != nil || re.MatchString(name) {
			out[name] = data
		}
	}
	return out
}

// AsConfig renders the files as the data of a ConfigMap: file base name to contents, as YAML.
func (f Files) AsConfig() (string, error) {
	if len(f) == 0 {
		return "", errors.New("must pass files")
	}
	m := map[string]string{}
	for k, v := range f {
		m[path.Base(k)] = string(v)
	}
	return toYAML(m), nil
}

// AsSecrets renders the files as the data of a Secret: base name to base64 contents, as YAML.
func (f Files) AsSecrets() (string, error) {
	if len(f) == 0 {
		return "", errors.New("must pass files")
	}
	m := map[string]string{}
	for k, v := range f {
		m[path.Base(k)] = base64.StdEncoding.EncodeToString(v)
	}
	return toYAML(m), nil
}

// Lines splits a file on "\n".
func (f Files) Lines(name string) ([]string, error) {
	if f == nil || f[name] == nil {
		return nil, errors.New("must pass files")
	}
	return strings.Split(string(f[name]), "\n"), nil
}

// globRegexp translates a gobwas/glob pattern (separator '/') into an anchored regular expression.
func globRegexp(pattern string) (*regexp.Regexp, error) {
	var b strings.Builder
	b.WriteString("^")
	depth := 0 // inside {…}
	for i := 0; i < len(pattern); i++ {
		c := pattern[i]
		switch {
		case c == '\\' && i+1 < len(pattern):
			i++
			b.WriteString(regexp.QuoteMeta(string(pattern[i])))
		case c == '*' && i+1 < len(pattern) && pattern[i+1] == '*':
			i++
			b.WriteString(".*")
		case c == '*':
			b.WriteString("[^/]*")
		case c == '?':
			b.WriteString("[^/]")
		case c == '[':
			end := strings.IndexByte(pattern[i+1:], ']')
			if end < 0 {
				return nil, fmt.Errorf("glob %q: unclosed [", pattern)
			}
			class := pattern[i+1 : i+1+end]
			if strings.HasPrefix(class, "!") {
				class = "^" + class[1:]
			}
			b.WriteString("[" + class + "]")
			i += end + 1
		case c == '{':
			depth++
			b.WriteString("(?:")
		case c == '}' && depth > 0:
			depth--
			b.WriteString(")")
		case c == ',' && depth > 0:
			b.WriteString("|")
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	if depth != 0 {
		return nil, fmt.Errorf("glob %q: unclosed {", pattern)
	}
	b.WriteString("$")
	return regexp.Compile(b.String())
}

// ignoreRule is one line of .helmignore, as Helm's pkg/ignore parses it: "!" negates, a trailing "/"
// matches directories only, a leading "/" or any inner "/" matches the whole path (filepath.Match),
// otherwise the base name; "**" is refused.
type ignoreRule struct {
	pattern         string
	negate, mustDir bool
	wholePath       bool
}

func parseHelmignore(file string) ([]ignoreRule, error) {
	data, err := os.ReadFile(file)
	if errors.Is(err, fs.ErrNotExist) {
		data = nil
	} else if err != nil {
		return nil, err
	}
	// Helm's default rule (AddDefaults): dot files in templates/.
	lines := append(strings.Split(string(data), "\n"), "templates/.?*")
	var rules []ignoreRule
	for _, line := range lines {
		rule := strings.TrimSpace(line)
		if rule == "" || strings.HasPrefix(rule, "#") {
			continue
		}
		if strings.Contains(rule, "**") {
			return nil, fmt.Errorf("%s: double-star (**) syntax is not supported", file)
		}
		if _, err := filepath.Match(rule, "abc"); err != nil {
			return nil, fmt.Errorf("%s: %q: %w", file, rule, err)
		}
		r := ignoreRule{}
		if strings.HasPrefix(rule, "!") {
			r.negate, rule = true, rule[1:]
		}
		if strings.HasSuffix(rule, "/") {
			r.mustDir, rule = true, strings.TrimSuffix(rule, "/")
		}
		r.wholePath = strings.Contains(rule, "/")
		r.pattern = strings.TrimPrefix(rule, "/")
		rules = append(rules, r)
	}
	return rules, nil
}

// ignored evaluates the rules in order as Helm's Rules.Ignore: the first match decides; a negative rule
// that does not match ignores the path.
func ignored(rules []ignoreRule, name string, isDir bool) bool {
	for _, r := range rules {
		subject := name
		if !r.wholePath {
			subject = path.Base(name)
		}
		ok, _ := filepath.Match(r.pattern, subject)
		if r.negate {
			if (r.mustDir && !isDir) || !ok {
				return true
			}
			continue
		}
		if r.mustDir && !isDir {
			continue
		}
		if ok {
			return true
		}
	}
	return false
}

// loadFiles reads .Files from the chart directory as Helm's directory loader does: .helmignore applied
// (to directories too, which are then skipped whole), then what the loader takes for itself left out.
func loadFiles(chartDir string) (Files, error) {
	rules, err := parseHelmignore(filepath.Join(chartDir, ".helmignore"))
	if err != nil {
		return nil, err
	}
	files := Files{}
	err = filepath.WalkDir(chartDir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(chartDir, p)
		if err != nil || rel == "." {
			return err
		}
		name := filepath.ToSlash(rel)
		if ignored(rules, name, d.IsDir()) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			return nil
		}
		switch {
		case name == "Chart.yaml", name == "Chart.lock", name == "values.yaml", name == "values.schema.json",
			name == "requirements.yaml", name == "requirements.lock",
			strings.HasPrefix(name, "templates/"), strings.HasPrefix(name, "charts/"):
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		files[name] = data
		return nil
	})
	return files, err
}

// toYAML is Helm's toYaml: ghodss/yaml, without the final newline, "" on an error.
func toYAML(v interface{}) string {
	data, err := yaml.Marshal(v)
	if err != nil {
		return ""
	}
	return strings.TrimSuffix(string(data), "\n")
}

// The API versions a cluster of the given version serves, enough for charts that test for the built-in
// ones; --api-versions adds the rest (CRDs such as keda.sh/v1alpha1).
var builtinVersions = []string{
	"v1", "apps/v1", "batch/v1", "policy/v1", "autoscaling/v1", "autoscaling/v2",
	"networking.k8s.io/v1", "rbac.authorization.k8s.io/v1", "storage.k8s.io/v1", "node.k8s.io/v1",
	"scheduling.k8s.io/v1", "coordination.k8s.io/v1", "discovery.k8s.io/v1", "apiextensions.k8s.io/v1",
	"admissionregistration.k8s.io/v1", "certificates.k8s.io/v1", "events.k8s.io/v1",
}

type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

func main() {
	var valueFiles, apiVersions stringList
	chartDir := flag.String("chart", "", "the chart directory")
	flag.Var(&valueFiles, "f", "a values file (repeatable; later files win)")
	flag.Var(&apiVersions, "api-versions", "an extra API version for .Capabilities.APIVersions (repeatable)")
	releaseName := flag.String("release-name", "release-name", ".Release.Name")
	namespace := flag.String("namespace", "default", ".Release.Namespace")
	kubeVersion := flag.String("kube-version", "v1.31.0", ".Capabilities.KubeVersion")
	strict := flag.Bool("strict", false, "fail on a reference to a missing key (missingkey=error, as helm lint --strict)")
	notesOut := flag.String("notes-out", "", "write the rendered NOTES.txt here")
	valuesOut := flag.String("values-out", "", "write the coalesced values here as JSON")
	flag.Parse()
	if *chartDir == "" {
		fail(errors.New("--chart is required"))
	}
	manifests, notes, values, err := render(*chartDir, valueFiles, apiVersions, *releaseName, *namespace, *kubeVersion, *strict)
	if values != nil && *valuesOut != "" {
		data, jerr := json.MarshalIndent(values, "", "  ")
		if jerr == nil {
			jerr = os.WriteFile(*valuesOut, data, 0o644)
		}
		if jerr != nil {
			fail(jerr)
		}
	}
	if err != nil {
		fail(err)
	}
	if *notesOut != "" {
		if err := os.WriteFile(*notesOut, []byte(notes), 0o644); err != nil {
			fail(err)
		}
	}
	os.Stdout.WriteString(manifests)
}

func fail(err error) {
	fmt.Fprintf(os.Stderr, "Error: %v\n", err)
	os.Exit(1)
}

func readYAMLMap(file string) (map[string]interface{}, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	m := map[string]interface{}{}
	if err := yaml.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	if m == nil {
		m = map[string]interface{}{}
	}
	return m, nil
}

// mergeMaps merges the -f files: later files win, maps are merged key by key.
func mergeMaps(a, b map[string]interface{}) map[string]interface{} {
	out := make(map[string]interface{}, len(a))
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		if vm, ok := v.(map[string]interface{}); ok {
			if om, ok := out[k].(map[string]interface{}); ok {
				out[k] = mergeMaps(om, vm)
				continue
			}
		}
		out[k] = v
	}
	return out
}

// coalesce lays the user's values over the chart's defaults: user values win, maps are merged, and a
// user null deletes the default.
func coalesce(user, defaults map[string]interface{}) map[string]interface{} {
	out := make(map[string]interface{}, len(user))
	for k, v := range user {
		out[k] = v
	}
	for k, dv := range defaults {
		uv, present := out[k]
		if !present {
			out[k] = dv
			continue
		}
		if uv == nil {
			delete(out, k)
			continue
		}
		um, uok := uv.(map[string]interface{})
		dm, dok := dv.(map[string]interface{})
		if uok && dok {
			out[k] = coalesce(um, dm)
		} else if uok != dok && dv != nil {
			fmt.Fprintf(os.Stderr, "warning: %s: a map and a non-map are coalesced; the user's value wins\n", k)
		}
	}
	// Nulls nested in user maps that have no default are dropped too.
	for k, v := range out {
		if v == nil {
			delete(out, k)
		}
	}
	return out
}

func validateSchema(values map[string]interface{}, schemaFile string) error {
	schema, err := os.ReadFile(schemaFile)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	} else if err != nil {
		return err
	}
	valuesJSON, err := json.Marshal(values)
	if err != nil {
		return err
	}
	result, err := gojsonschema.Validate(gojsonschema.NewBytesLoader(schema), gojsonschema.NewBytesLoader(valuesJSON))
	if err != nil {
		return err
	}
	if result.Valid() {
		return nil
	}
	var b strings.Builder
	for _, e := range result.Errors() {
		fmt.Fprintf(&b, "- %s\n", e)
	}
	return fmt.Errorf("values don't meet the specifications of the schema(s) in the following chart(s):\n%s", b.String())
}

func render(chartDir string, valueFiles, apiVersions []string, releaseName, namespace, kubeVersion string, strict bool) (string, string, map[string]interface{}, error) {
	chartYAML, err := os.ReadFile(filepath.Join(chartDir, "Chart.yaml"))
	if err != nil {
		return "", "", nil, err
	}
	var meta Metadata
	if err := yaml.Unmarshal(chartYAML, &meta); err != nil {
		return "", "", nil, fmt.Errorf("Chart.yaml: %w", err)
	}
	if meta.APIVersion != "v2" || meta.Name == "" || meta.Version == "" {
		return "", "", nil, errors.New("Chart.yaml: apiVersion v2, name and version are required")
	}
	if _, err := semver.NewVersion(meta.Version); err != nil {
		return "", "", nil, fmt.Errorf("Chart.yaml: version %q is not SemVer 2: %w", meta.Version, err)
	}
	kv, err := semver.NewVersion(kubeVersion)
	if err != nil {
		return "", "", nil, fmt.Errorf("--kube-version: %w", err)
	}
	if meta.KubeVersion != "" {
		constraint, err := semver.NewConstraint(meta.KubeVersion)
		if err != nil {
			return "", "", nil, fmt.Errorf("Chart.yaml: kubeVersion: %w", err)
		}
		if !constraint.Check(kv) {
			return "", "", nil, fmt.Errorf("chart requires kubeVersion: %s which is incompatible with Kubernetes %s", meta.KubeVersion, kubeVersion)
		}
	}

	defaults, err := readYAMLMap(filepath.Join(chartDir, "values.yaml"))
	if err != nil {
		return "", "", nil, err
	}
	user := map[string]interface{}{}
	for _, f := range valueFiles {
		m, err := readYAMLMap(f)
		if err != nil {
			return "", "", nil, err
		}
		user = mergeMaps(user, m)
	}
	values := coalesce(user, defaults)
	if err := validateSchema(values, filepath.Join(chartDir, "values.schema.json")); err != nil {
		return "", "", values, err
	}

	files, err := loadFiles(chartDir)
	if err != nil {
		return "", "", values, err
	}
	versions := append(VersionSet{}, builtinVersions...)
	versions = append(versions, apiVersions...)
	caps := &Capabilities{
		APIVersions: versions,
		KubeVersion: KubeVersion{Version: "v" + kv.String(), Major: fmt.Sprint(kv.Major()), Minor: fmt.Sprint(kv.Minor())},
		HelmVersion: map[string]string{"Version": "v3-compatible"},
	}
	top := map[string]interface{}{
		"Values":       Values(values),
		"Chart":        &meta,
		"Capabilities": caps,
		"Files":        files,
		"Release": map[string]interface{}{
			"Name": releaseName, "Namespace": namespace, "IsInstall": true, "IsUpgrade": false,
			"Revision": 1, "Service": "Helm",
		},
	}

	// Every file under templates/, named as Helm names them.
	templates := map[string]string{}
	root := filepath.Join(chartDir, "templates")
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		templates[path.Join(meta.Name, "templates", filepath.ToSlash(rel))] = string(data)
		return nil
	})
	if err != nil {
		return "", "", values, err
	}
	rendered, err := execute(templates, top, meta.Name, strict)
	if err != nil {
		return "", "", values, err
	}

	var out strings.Builder
	var notes string
	names := make([]string, 0, len(rendered))
	for name := range rendered {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		text := rendered[name]
		if strings.HasSuffix(name, "/NOTES.txt") {
			notes = text
			continue
		}
		if strings.TrimSpace(text) == "" {
			continue
		}
		fmt.Fprintf(&out, "---\n# Source: %s\n%s\n", name, text)
	}
	return out.String(), notes, values, nil
}

// execute parses all templates into one set and renders each that does not start with "_".
func execute(templates map[string]string, top map[string]interface{}, chartName string, strict bool) (map[string]string, error) {
	t := template.New("gotpl")
	if strict {
		t.Option("missingkey=error")
	} else {
		t.Option("missingkey=zero")
	}
	funcs := helmFuncs(t, top, chartName, strict)
	t.Funcs(funcs)

	// Helm parses shallow paths first, then by name.
	keys := make([]string, 0, len(templates))
	for k := range templates {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		ci, cj := strings.Count(keys[i], "/"), strings.Count(keys[j], "/")
		if ci != cj {
			return ci < cj
		}
		return keys[i] < keys[j]
	})
	for _, name := range keys {
		if _, err := t.New(name).Parse(templates[name]); err != nil {
			return nil, fmt.Errorf("parse error in %s: %w", name, err)
		}
	}
	rendered := map[string]string{}
	for _, name := range keys {
		if strings.HasPrefix(path.Base(name), "_") {
			continue
		}
		vals := map[string]interface{}{}
		for k, v := range top {
			vals[k] = v
		}
		vals["Template"] = map[string]interface{}{"Name": name, "BasePath": path.Join(chartName, "templates")}
		var buf strings.Builder
		if err := t.ExecuteTemplate(&buf, name, vals); err != nil {
			return nil, fmt.Errorf("execution error in %s: %w", name, err)
		}
		rendered[name] = strings.ReplaceAll(buf.String(), "<no value>", "")
	}
	return rendered, nil
}

func helmFuncs(t *template.Template, top map[string]interface{}, chartName string, strict bool) template.FuncMap {
	f := sprig.TxtFuncMap()
	delete(f, "env")
	delete(f, "expandenv")
	f["toYaml"] = toYAML
	f["fromYaml"] = func(s string) map[string]interface{} {
		m := map[string]interface{}{}
		if err := yaml.Unmarshal([]byte(s), &m); err != nil {
			m["Error"] = err.Error()
		}
		return m
	}
	f["fromYamlArray"] = func(s string) []interface{} {
		a := []interface{}{}
		if err := yaml.Unmarshal([]byte(s), &a); err != nil {
			a = []interface{}{err.Error()}
		}
		return a
	}
	f["toJson"] = func(v interface{}) string {
		data, err := json.Marshal(v)
		if err != nil {
			return ""
		}
		return string(data)
	}
	f["fromJson"] = func(s string) map[string]interface{} {
		m := map[string]interface{}{}
		if err := json.Unmarshal([]byte(s), &m); err != nil {
			m["Error"] = err.Error()
		}
		return m
	}
	f["fromJsonArray"] = func(s string) []interface{} {
		a := []interface{}{}
		if err := json.Unmarshal([]byte(s), &a); err != nil {
			a = []interface{}{err.Error()}
		}
		return a
	}
	// lookup: helm template has no cluster and returns an empty map.
	f["lookup"] = func(apiVersion, kind, namespace, name string) (map[string]interface{}, error) {
		return map[string]interface{}{}, nil
	}
	depth := map[string]int{}
	f["include"] = func(name string, data interface{}) (string, error) {
		if depth[name] > 1000 {
			return "", fmt.Errorf("rendering template has a nested reference name: %s", name)
		}
		depth[name]++
		defer func() { depth[name]-- }()
		var buf bytes.Buffer
		err := t.ExecuteTemplate(&buf, name, data)
		return buf.String(), err
	}
	f["tpl"] = func(text string, vals interface{}) (string, error) {
		clone, err := t.Clone()
		if err != nil {
			return "", err
		}
		tt, err := clone.New("tpl").Parse(text)
		if err != nil {
			return "", fmt.Errorf("error during tpl function execution for %q: %w", text, err)
		}
		var buf strings.Builder
		if err := tt.Execute(&buf, vals); err != nil {
			return "", fmt.Errorf("error during tpl function execution for %q: %w", text, err)
		}
		return strings.ReplaceAll(buf.String(), "<no value>", ""), nil
	}
	f["required"] = func(warn string, val interface{}) (interface{}, error) {
		if val == nil {
			return val, errors.New(warn)
		}
		if s, ok := val.(string); ok && s == "" {
			return val, errors.New(warn)
		}
		return val, nil
	}
	return f
}
