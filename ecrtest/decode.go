package ecrtest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
)

// decode unmarshals a JSON request body into v, a pointer to one of the
// request structs of wire.go. An empty body is an empty object.
//
// Member names are matched exactly, as the awsJson protocol does, and
// members the operation does not have are ignored; encoding/json alone would
// also accept "RepositoryName" for repositoryName. Errors are
// SerializationException with a message that names the member and the JSON
// types involved, never Go types. ECR's own wording for these errors is not
// on public record.
func decode(body []byte, v any) *apiError {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var raw any
	if err := dec.Decode(&raw); err != nil {
		return errSerialization(syntaxMessage(err))
	}
	if dec.More() {
		return errSerialization("Malformed request body: more than one JSON value")
	}
	t := reflect.TypeOf(v).Elem()
	if _, ok := raw.(map[string]any); !ok {
		return errSerialization(fmt.Sprintf("Unexpected value type for the request body: got %s, want object", jsonKind(raw)))
	}
	canonical, err := json.Marshal(keepKnown(raw, t))
	if err != nil {
		return errSerialization("Malformed request body")
	}
	if err := json.Unmarshal(canonical, v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return errSerialization(fmt.Sprintf("Unexpected value type at '%s': got %s, want %s", echo(te.Field), te.Value, wantKind(te.Type)))
		}
		return errSerialization("Malformed request body")
	}
	return nil
}

// syntaxMessage describes a JSON syntax error without Go type names.
func syntaxMessage(err error) string {
	var se *json.SyntaxError
	switch {
	case errors.As(err, &se):
		return fmt.Sprintf("Malformed request body: %s at byte %d", se.Error(), se.Offset)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "Malformed request body: unexpected end of JSON input"
	}
	return "Malformed request body"
}

// keepKnown returns raw with every object member that the corresponding Go
// type does not declare, by its exact JSON name, left out.
func keepKnown(raw any, t reflect.Type) any {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch r := raw.(type) {
	case map[string]any:
		if t.Kind() != reflect.Struct {
			return r
		}
		fields := make(map[string]reflect.Type)
		for i := range t.NumField() {
			f := t.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name != "" && name != "-" {
				fields[name] = f.Type
			}
		}
		out := make(map[string]any, len(r))
		for k, val := range r {
			if ft, ok := fields[k]; ok {
				out[k] = keepKnown(val, ft)
			}
		}
		return out
	case []any:
		if t.Kind() != reflect.Slice {
			return r
		}
		out := make([]any, len(r))
		for i, val := range r {
			out[i] = keepKnown(val, t.Elem())
		}
		return out
	}
	return raw
}

// jsonKind names the JSON type of a decoded value.
func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case map[string]any:
		return "object"
	case []any:
		return "array"
	case string:
		return "string"
	case bool:
		return "bool"
	}
	return "number"
}

// wantKind names the JSON type that a Go type is decoded from.
func wantKind(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "string"
	case reflect.Struct, reflect.Map:
		return "object"
	case reflect.Slice, reflect.Array:
		return "array"
	case reflect.Bool:
		return "bool"
	}
	return "number"
}
