// Command oracle renders Go templates the way werf renders werf.yaml: Go's
// text/template with sprig's text function map (minus expandenv) plus werf's
// include, tpl, required, env, fromYaml, toYaml, debug helpers and .Files.
// It is the reference the TypeScript renderer is compared with, byte for byte.
//
// Input (stdin): {"cases":[{"text":..., "files":{path:content}, "env":{K:V},
// "werfEnv":"...", "strictEnv":true}]}. Output (stdout): a JSON array with
// {"ok":true,"out":"..."} or {"ok":false,"err":"..."} per case.
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"hash/adler32"
	"os"
	"path"
	"sort"
	"strings"
	"text/template"

	"github.com/Masterminds/sprig/v3"
	"github.com/bmatcuk/doublestar/v4"
	"gopkg.in/yaml.v2"
)

type renderCase struct {
	Text      string            `json:"text"`
	Files     map[string]string `json:"files"`
	Env       map[string]string `json:"env"`
	WerfEnv   string            `json:"werfEnv"`
	StrictEnv *bool             `json:"strictEnv"`
}

type result struct {
	OK  bool   `json:"ok"`
	Out string `json:"out"`
	Err string `json:"err,omitempty"`
}

// files is werf's .Files over the case's file set.
type files struct{ m map[string]string }

func cleanProjectPath(p string) string {
	c := path.Clean(strings.ReplaceAll(p, "\\", "/"))
	if c == "." || c == "/" {
		return ""
	}
	return strings.TrimLeft(c, "/")
}

func (f *files) Get(p string) (string, error) {
	c, ok := f.m[cleanProjectPath(p)]
	if !ok {
		return "", fmt.Errorf("file %q not found in the project files", p)
	}
	return c, nil
}

func (f *files) IsDir(p string) bool {
	key := cleanProjectPath(p)
	if key == "" {
		return len(f.m) > 0
	}
	for k := range f.m {
		if strings.HasPrefix(k, key+"/") {
			return true
		}
	}
	return false
}

func (f *files) Exists(p string) bool {
	_, ok := f.m[cleanProjectPath(p)]
	return ok || f.IsDir(p)
}

// globMatch is werf's path matcher rule: G, G without trailing * segments, or that plus /**/*.
func globMatch(glob, p string) bool {
	g := cleanProjectPath(glob)
	if g == "" || strings.Trim(strings.ReplaceAll(g, "/", ""), "*") == "" {
		return true
	}
	if ok, _ := doublestar.PathMatch(g, p); ok {
		return true
	}
	parts := strings.Split(g, "/")
	for len(parts) > 0 && strings.Trim(parts[len(parts)-1], "*") == "" {
		parts = parts[:len(parts)-1]
	}
	t := strings.Join(parts, "/")
	if t == "" {
		return true
	}
	if ok, _ := doublestar.PathMatch(t, p); ok {
		return true
	}
	ok, _ := doublestar.PathMatch(t+"/**/*", p)
	return ok
}

func (f *files) Glob(pattern string) map[string]interface{} {
	out := map[string]interface{}{}
	for k, v := range f.m {
		if globMatch(pattern, k) {
			out[k] = v
		}
	}
	return out
}

func render(c renderCase) (string, error) {
	fs := &files{m: map[string]string{}}
	for k, v := range c.Files {
		fs.m[cleanProjectPath(k)] = v
	}
	strict := c.StrictEnv == nil || *c.StrictEnv

	tmpl := template.New("werf.yaml")
	funcs := sprig.TxtFuncMap()
	delete(funcs, "expandenv")
	include := func(name string, data interface{}) (string, error) {
		var buf bytes.Buffer
		err := tmpl.ExecuteTemplate(&buf, name, data)
		return buf.String(), err
	}
	tpl := func(text string, data interface{}) (string, error) {
		name := fmt.Sprintf("tpl-%d", adler32.Checksum([]byte(text)))
		t, err := tmpl.New(name).Parse(text)
		if err != nil {
			return "", err
		}
		var buf bytes.Buffer
		err = t.Execute(&buf, data)
		return buf.String(), err
	}
	funcs["include"] = include
	funcs["include_debug"] = include
	funcs["tpl"] = tpl
	funcs["tpl_debug"] = tpl
	funcs["printf_debug"] = func(format string, args ...interface{}) string { return "" }
	funcs["dump_debug"] = func(v interface{}) string { return "" }
	funcs["required"] = func(msg string, val interface{}) (interface{}, error) {
		if val == nil || val == "" {
			return val, errors.New(msg)
		}
		return val, nil
	}
	funcs["env"] = func(name string, def ...string) (string, error) {
		v, ok := c.Env[name]
		if !ok || v == "" {
			if len(def) > 0 {
				return def[0], nil
			}
			if !ok && strict {
				return "", fmt.Errorf("environment variable %q is not set; pass it with --env %s=VALUE", name, name)
			}
			return "", nil
		}
		return v, nil
	}
	funcs["fromYaml"] = func(s string) (map[string]interface{}, error) {
		m := map[string]interface{}{}
		err := yaml.Unmarshal([]byte(s), &m)
		return m, err
	}
	funcs["toYaml"] = func(v interface{}) string {
		data, err := yaml.Marshal(v)
		if err != nil {
			return ""
		}
		return strings.TrimSuffix(string(data), "\n")
	}
	tmpl.Funcs(funcs)

	var partials []string
	for k := range fs.m {
		if strings.HasPrefix(k, ".werf/") && strings.HasSuffix(k, ".tmpl") {
			partials = append(partials, k)
		}
	}
	sort.Strings(partials)
	for _, p := range partials {
		if _, err := tmpl.New(strings.TrimPrefix(p, ".werf/")).Parse(fs.m[p]); err != nil {
			return "", err
		}
	}
	if _, err := tmpl.Parse(c.Text); err != nil {
		return "", err
	}
	data := map[string]interface{}{
		"Files": fs,
		"Env":   c.WerfEnv,
		"Commit": map[string]interface{}{
			"Hash": "",
			"Date": map[string]interface{}{"Human": "", "Unix": ""},
		},
	}
	var buf bytes.Buffer
	err := tmpl.ExecuteTemplate(&buf, "werf.yaml", data)
	return buf.String(), err
}

func safeRender(c renderCase) (out string, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	return render(c)
}

func main() {
	var in struct {
		Cases []renderCase `json:"cases"`
	}
	if err := json.NewDecoder(os.Stdin).Decode(&in); err != nil {
		fmt.Fprintln(os.Stderr, "oracle: bad input:", err)
		os.Exit(2)
	}
	results := make([]result, len(in.Cases))
	for i, c := range in.Cases {
		out, err := safeRender(c)
		if err != nil {
			results[i] = result{OK: false, Err: err.Error()}
		} else {
			results[i] = result{OK: true, Out: out}
		}
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(results); err != nil {
		fmt.Fprintln(os.Stderr, "oracle:", err)
		os.Exit(1)
	}
}
