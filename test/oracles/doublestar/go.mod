module stapel-operator/test/oracles/doublestar

go 1.22

require github.com/bmatcuk/doublestar/v4 v4.9.1
