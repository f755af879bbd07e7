package whatsapp

import "github.com/parleyhq/parley/memory"

func memoryMap() *memory.Map { return memory.NewMap() }
