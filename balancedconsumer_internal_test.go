package kafka

import (
	"reflect"
	"testing"
	"time"
)

// TestBalancedConfigCopiesEverySimpleField: every field BalancedConsumerConfig
// shares with SimpleConsumerConfig reaches the simple consumer's settings,
// with the same type, so the two cannot drift apart unnoticed.
func TestBalancedConfigCopiesEverySimpleField(t *testing.T) {
	var cfg BalancedConsumerConfig
	v := reflect.ValueOf(&cfg).Elem()
	simple := reflect.TypeFor[SimpleConsumerConfig]()
	shared := 0
	for i := range v.NumField() {
		f := v.Type().Field(i)
		sf, ok := simple.FieldByName(f.Name)
		if !ok {
			continue
		}
		shared++
		if sf.Type != f.Type {
			t.Fatalf("%s is %v here and %v in SimpleConsumerConfig", f.Name, f.Type, sf.Type)
		}
		// A value no default replaces and every validation accepts.
		switch fv := v.Field(i); f.Type {
		case reflect.TypeFor[string]():
			fv.SetString("g")
		case reflect.TypeFor[bool]():
			fv.SetBool(true)
		case reflect.TypeFor[time.Duration]():
			fv.SetInt(int64(7 * time.Millisecond))
		case reflect.TypeFor[int]():
			fv.SetInt(7)
		case reflect.TypeFor[OffsetType]():
			fv.SetInt(int64(OffsetLatest))
		case reflect.TypeFor[IsolationLevel]():
			fv.SetInt(int64(ReadCommitted))
		default:
			t.Fatalf("%s: no test value for %v", f.Name, f.Type)
		}
	}
	_, sc, err := cfg.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	got := reflect.ValueOf(sc)
	for i := range v.NumField() {
		name := v.Type().Field(i).Name
		if g := got.FieldByName(name); g.IsValid() && !reflect.DeepEqual(g.Interface(), v.Field(i).Interface()) {
			t.Errorf("%s: set %v, the simple consumer's settings have %v", name, v.Field(i), g)
		}
	}
	if want := simple.NumField() - 1; shared != want { // all but Partitions: the group assigns them
		t.Errorf("%d fields shared with SimpleConsumerConfig, want %d", shared, want)
	}
}
