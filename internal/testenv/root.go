package testenv

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
)

// Root is the repository's top folder: the nearest folder above the working directory with a go.mod.
func Root() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		up := filepath.Dir(dir)
		if up == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = up
	}
}

// pinned is the version the Makefile pins under name (NAME := version).
func pinned(root, name string) (string, error) {
	mk, err := os.ReadFile(filepath.Join(root, "Makefile"))
	if err != nil {
		return "", err
	}
	m := regexp.MustCompile(`(?m)^` + name + ` := (\S+)$`).FindSubmatch(mk)
	if m == nil {
		return "", errors.New("the Makefile pins no " + name)
	}
	return string(m[1]), nil
}
