package web

import (
	"slices"
	"sync"
)

// A fileStore accounts for the files kept by every conversation (uploads
// and bot attachments, served by signed link) and for uploads being read,
// within Config.UploadQuota: the memory a flood of anonymous uploads can
// take is bounded by the quota, not by the number of conversations.
type fileStore struct {
	quota int64

	mu    sync.Mutex
	used  int64     // bytes kept plus bytes reserved for uploads being read
	order []fileRef // kept files, oldest first (some may be gone already)
	live  int       // files in order still kept
}

type fileRef struct {
	cv *conversation
	id string
}

// reserve takes n bytes of the quota for an upload being read, making room
// by forgetting the oldest kept files. It reports false when the quota is
// held by other uploads being read.
func (s *fileStore) reserve(n int64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for s.used+n > s.quota && s.evictOldestLocked() {
	}
	if s.used+n > s.quota {
		return false
	}
	s.used += n
	return true
}

// release gives back n reserved bytes.
func (s *fileStore) release(n int64) {
	if n == 0 {
		return
	}
	s.mu.Lock()
	s.used -= n
	s.mu.Unlock()
}

// keep stores f as file id of cv, in place of reserved bytes held for it,
// forgetting the oldest files (of cv beyond perConv bytes, of any
// conversation beyond the quota).
func (s *fileStore) keep(cv *conversation, id string, f *upload, perConv, reserved int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.used -= reserved
	size := int64(len(f.data))
	for s.used+size > s.quota && s.evictOldestLocked() {
	}
	freed, n := cv.addFile(id, f, perConv)
	s.used += size - freed
	s.live += 1 - n
	s.order = append(s.order, fileRef{cv: cv, id: id})
	if len(s.order) > 2*s.live+64 {
		s.order = slices.DeleteFunc(s.order, func(r fileRef) bool { return !r.cv.hasFile(r.id) })
	}
}

// forget drops the files of a conversation the Chat forgets.
func (s *fileStore) forget(cv *conversation) {
	s.mu.Lock()
	defer s.mu.Unlock()
	freed, n := cv.dropFiles()
	s.used -= freed
	s.live -= n
}

// evictOldestLocked forgets the oldest kept file; it reports false if
// there is none.
func (s *fileStore) evictOldestLocked() bool {
	for len(s.order) > 0 {
		r := s.order[0]
		s.order = s.order[1:]
		if size, ok := r.cv.dropFile(r.id); ok {
			s.used -= size
			s.live--
			return true
		}
	}
	return false
}

// usage returns the bytes kept or reserved and the number of files kept.
func (s *fileStore) usage() (int64, int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.used, s.live
}
