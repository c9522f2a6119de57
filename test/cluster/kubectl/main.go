// kubectl for machines without one: the same command tree as the upstream
// kubectl binary (k8s.io/kubectl's NewDefaultKubectlCommand), built by
// test/cluster/ensure-kubectl.sh from the published v0.36.3 modules.
package main

import (
	"k8s.io/component-base/cli"
	"k8s.io/kubectl/pkg/cmd"
	"k8s.io/kubectl/pkg/cmd/util"
)

func main() {
	command := cmd.NewDefaultKubectlCommand()
	if err := cli.RunNoErrOutput(command); err != nil {
		util.CheckErr(err)
	}
}
