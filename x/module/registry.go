package module

import (
	"fmt"

	"google.golang.org/protobuf/reflect/protoreflect"
)

// Registry indexes an ordered list of modules: the app routes through it,
// and governance finds the actions and parameters other modules own. It is
// filled once (Init) and read-only after, so safe for concurrent use.
type Registry struct {
	mods    []*Module
	byName  map[string]*Module
	msgs    map[protoreflect.FullName]Registered[Msg]
	actions map[string]Registered[GovAction]
}

// Registered is a registration with the module it belongs to.
type Registered[T any] struct {
	Module *Module
	Item   T
}

// Init indexes mods, in order, after checking each (Module.Check) and that
// names, messages and actions are registered once.
func (r *Registry) Init(mods []*Module) error {
	if r.mods != nil {
		return fmt.Errorf("module: registry initialised twice")
	}
	r.byName = map[string]*Module{}
	r.msgs = map[protoreflect.FullName]Registered[Msg]{}
	r.actions = map[string]Registered[GovAction]{}
	for _, m := range mods {
		if err := m.Check(); err != nil {
			return err
		}
		if _, dup := r.byName[m.Name]; dup {
			return fmt.Errorf("module %q registered twice", m.Name)
		}
		r.byName[m.Name] = m
		for _, msg := range m.Msgs {
			if prev, dup := r.msgs[msg.Name()]; dup {
				return fmt.Errorf("message %s registered by %s and %s", msg.Name(), prev.Module.Name, m.Name)
			}
			r.msgs[msg.Name()] = Registered[Msg]{m, msg}
		}
		for _, a := range m.GovActions {
			if prev, dup := r.actions[a.Field]; dup {
				return fmt.Errorf("governance action %s registered by %s and %s", a.Field, prev.Module.Name, m.Name)
			}
			r.actions[a.Field] = Registered[GovAction]{m, a}
		}
	}
	r.mods = mods
	return nil
}

// Modules returns the modules in order.
func (r *Registry) Modules() []*Module { return r.mods }

// Module returns the module named name, or nil.
func (r *Registry) Module(name string) *Module { return r.byName[name] }

// Msg returns the registration of messages named name (a protobuf full
// name), or false.
func (r *Registry) Msg(name protoreflect.FullName) (Registered[Msg], bool) {
	m, ok := r.msgs[name]
	return m, ok
}

// GovAction returns the governance action carried in the govv1.Action
// oneof field named field, or false.
func (r *Registry) GovAction(field string) (Registered[GovAction], bool) {
	a, ok := r.actions[field]
	return a, ok
}

// StoreNames returns the module stores, in module order.
func (r *Registry) StoreNames() []string {
	out := make([]string, len(r.mods))
	for i, m := range r.mods {
		out[i] = m.Name
	}
	return out
}
