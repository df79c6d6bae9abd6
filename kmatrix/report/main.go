// Command report turns the result directories of the kernel matrix
// (kmatrix/run.sh) into a table of kernels by package, with every failure
// and every skip with its reason, in Markdown. It prints the report, writes
// it to -o and, with -w, to the docs file. It exits 1 if a test failed or a
// kernel did not run to its end, else 0.
package main

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"time"
)

func main() {
	out := flag.String("o", "", "write the report to `FILE`")
	docs := flag.String("w", "", "also write the report to `FILE` (docs/KERNEL-MATRIX.md)")
	tests := flag.String("tests", "", "the tests.list of the run (`FILE`), for the packages' order")
	regex := flag.String("regex", "", "the -test.run filter of the run, for the report's header")
	note := flag.String("note", "", "a paragraph (`TEXT`) to put under the report's header")
	flag.Parse()
	var runs []*kernelRun
	for _, dir := range flag.Args() {
		k, err := readKernel(dir)
		if err != nil {
			fmt.Fprintln(os.Stderr, "report:", err)
			os.Exit(1)
		}
		runs = append(runs, k)
	}
	var pkgs []string
	if *tests != "" {
		if b, err := os.ReadFile(*tests); err == nil {
			for _, ln := range strings.Split(string(b), "\n") {
				if f := strings.Split(ln, "\t"); len(f) == 3 {
					pkgs = append(pkgs, f[1])
				}
			}
		}
	}
	r := &report{runs: runs, pkgs: pkgs, regex: *regex, note: *note, date: time.Now().UTC()}
	text, ok := r.markdown()
	fmt.Print(text)
	for _, f := range []string{*out, *docs} {
		if f == "" {
			continue
		}
		if err := os.WriteFile(f, []byte(text), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "report:", err)
			os.Exit(1)
		}
	}
	if !ok {
		os.Exit(1)
	}
}
