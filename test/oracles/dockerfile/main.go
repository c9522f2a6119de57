// Dockerfile oracle: reads one JSON question per line ({"dockerfile": "..."}),
// parses the text with BuildKit's Dockerfile frontend (the parser Kaniko and
// BuildKit use) and answers one JSON line with what each instruction means
// after parsing and variable expansion: the exec-form argv of RUN, CMD and
// ENTRYPOINT, COPY sources, destination and --chown, ENV/LABEL pairs, and
// the single values of WORKDIR, USER, EXPOSE, VOLUME, HEALTHCHECK.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/moby/buildkit/frontend/dockerfile/shell"
)

type question struct {
	Dockerfile string `json:"dockerfile"`
}

type instruction struct {
	Kind   string            `json:"kind"`
	Args   []string          `json:"args,omitempty"`
	Shell  bool              `json:"shell,omitempty"`
	Chown  string            `json:"chown,omitempty"`
	Pairs  map[string]string `json:"pairs,omitempty"`
	Values []string          `json:"values,omitempty"`
}

type answer struct {
	Error        string        `json:"error,omitempty"`
	From         string        `json:"from,omitempty"`
	Instructions []instruction `json:"instructions,omitempty"`
}

func expandAll(lex *shell.Lex, words []string) ([]string, error) {
	out := make([]string, 0, len(words))
	for _, w := range words {
		v, _, err := lex.ProcessWord(w, shell.EnvsFromSlice(nil))
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

func answerFor(text string) answer {
	res, err := parser.Parse(strings.NewReader(text))
	if err != nil {
		return answer{Error: err.Error()}
	}
	stages, _, err := instructions.Parse(res.AST, nil)
	if err != nil {
		return answer{Error: err.Error()}
	}
	if len(stages) != 1 {
		return answer{Error: fmt.Sprintf("%d stages", len(stages))}
	}
	lex := shell.NewLex('\\')
	out := answer{From: stages[0].BaseName}
	for _, cmd := range stages[0].Commands {
		if ex, ok := cmd.(instructions.SupportsSingleWordExpansion); ok {
			if err := ex.Expand(func(w string) (string, error) {
				v, _, err := lex.ProcessWord(w, shell.EnvsFromSlice(nil))
				return v, err
			}); err != nil {
				return answer{Error: err.Error()}
			}
		}
		switch c := cmd.(type) {
		case *instructions.RunCommand:
			out.Instructions = append(out.Instructions, instruction{Kind: "RUN", Args: c.CmdLine, Shell: c.PrependShell})
		case *instructions.CmdCommand:
			out.Instructions = append(out.Instructions, instruction{Kind: "CMD", Args: c.CmdLine, Shell: c.PrependShell})
		case *instructions.EntrypointCommand:
			out.Instructions = append(out.Instructions, instruction{Kind: "ENTRYPOINT", Args: c.CmdLine, Shell: c.PrependShell})
		case *instructions.CopyCommand:
			args := append(append([]string{}, c.SourcePaths...), c.DestPath)
			out.Instructions = append(out.Instructions, instruction{Kind: "COPY", Args: args, Chown: c.Chown})
		case *instructions.EnvCommand:
			pairs := map[string]string{}
			for _, kv := range c.Env {
				pairs[kv.Key] = kv.Value
			}
			out.Instructions = append(out.Instructions, instruction{Kind: "ENV", Pairs: pairs})
		case *instructions.LabelCommand:
			pairs := map[string]string{}
			for _, kv := range c.Labels {
				pairs[kv.Key] = kv.Value
			}
			out.Instructions = append(out.Instructions, instruction{Kind: "LABEL", Pairs: pairs})
		case *instructions.WorkdirCommand:
			out.Instructions = append(out.Instructions, instruction{Kind: "WORKDIR", Values: []string{c.Path}})
		case *instructions.UserCommand:
			out.Instructions = append(out.Instructions, instruction{Kind: "USER", Values: []string{c.User}})
		case *instructions.ExposeCommand:
			ports, err := expandAll(lex, c.Ports)
			if err != nil {
				return answer{Error: err.Error()}
			}
			out.Instructions = append(out.Instructions, instruction{Kind: "EXPOSE", Values: ports})
		case *instructions.VolumeCommand:
			out.Instructions = append(out.Instructions, instruction{Kind: "VOLUME", Values: c.Volumes})
		case *instructions.StopSignalCommand:
			out.Instructions = append(out.Instructions, instruction{Kind: "STOPSIGNAL", Values: []string{c.Signal}})
		case *instructions.HealthCheckCommand:
			hc := []string{}
			if c.Health != nil {
				hc = append(hc, c.Health.Test...)
			}
			out.Instructions = append(out.Instructions, instruction{Kind: "HEALTHCHECK", Args: hc})
		case *instructions.MaintainerCommand:
			out.Instructions = append(out.Instructions, instruction{Kind: "MAINTAINER", Values: []string{c.Maintainer}})
		default:
			out.Instructions = append(out.Instructions, instruction{Kind: fmt.Sprintf("%T", c)})
		}
	}
	return out
}

func main() {
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 64*1024*1024), 64*1024*1024)
	enc := json.NewEncoder(os.Stdout)
	for in.Scan() {
		var q question
		if err := json.Unmarshal(in.Bytes(), &q); err != nil {
			enc.Encode(answer{Error: "bad question: " + err.Error()})
			continue
		}
		enc.Encode(answerFor(q.Dockerfile))
	}
}
