package train

import "math"

// trainCentroid builds a nearest-centroid model: each class's weights are
// the L2-normalised mean of its TF-IDF vectors, so scores are cosine
// similarities.
func trainCentroid(v *vocab, raws [][]rawFeature, ys []int, C int) *linear {
	F := len(v.hashes)
	W := make([]float64, F*C)
	for i, r := range raws {
		x, _, _ := v.vectorize(r)
		for j, f := range x.idx {
			W[int(f)*C+ys[i]] += float64(x.val[j])
		}
	}
	norms := make([]float64, C)
	for f := 0; f < F; f++ {
		for c := 0; c < C; c++ {
			norms[c] += W[f*C+c] * W[f*C+c]
		}
	}
	lin := &linear{F: F, C: C, W: make([]float32, F*C), B: make([]float32, C)}
	for f := 0; f < F; f++ {
		for c := 0; c < C; c++ {
			if norms[c] > 0 {
				lin.W[f*C+c] = float32(W[f*C+c] / math.Sqrt(norms[c]))
			}
		}
	}
	return lin
}
