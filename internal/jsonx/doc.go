// Package jsonx holds small JSON encoding helpers shared by Parley's
// hand-written encoders of hot records (sessions, flow state).
package jsonx
