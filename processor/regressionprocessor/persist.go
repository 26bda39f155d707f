package regressionprocessor // import "github.com/otelcol-aiops/otelcol-aiops/processor/regressionprocessor"

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"strconv"

	"go.opentelemetry.io/collector/extension/xextension/storage"
	"go.uber.org/zap"

	"github.com/otelcol-aiops/otelcol-aiops/processor/regressionprocessor/internal/detector"
	"github.com/otelcol-aiops/otelcol-aiops/processor/regressionprocessor/internal/series"
)

// Storage layout. The storage client has Get/Set/Delete/Batch but no key
// listing, so one manifest names everything else:
//
//	"manifest"             "RGM2" | generation u64 | chunks u32 | series u32 | CRC-32C
//	"chunk/<gen>/<i>"      "RGC1" | records…, each: key (16 bytes) | detector snapshot (fixed size, own CRC)
//
// Series are written from the least to the most recently seen, chunkSeries per
// chunk. A save writes the chunks of a new generation, then the manifest,
// then deletes the previous generation's chunks, so a crash at any point
// leaves one complete generation. Records are fixed-size: a corrupt record
// costs that series, a truncated or missing chunk costs that chunk, a
// corrupt manifest costs the restore (the processor starts empty either way).
//
// The manifest's magic also names how the series keys were computed
// (identity.go): a snapshot whose keys the running version cannot compute
// is not restored, since none of its series would be found again, and its
// chunks are deleted by the next save. "RGM1": attributes hashed with
// FNV-1a (before 2026-11-22); "RGM2": with series.AttrKey.
const (
	manifestKey    = "manifest"
	manifestMagic  = "RGM2"
	staleKeysMagic = "RGM1"
	chunkMagic     = "RGC1"
	chunkSeries    = 512
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

type manifest struct {
	gen       uint64
	chunks    uint32
	series    uint32
	staleKeys bool // keys of an earlier scheme
}

func (m manifest) encode() []byte {
	b := append([]byte(nil), manifestMagic...)
	b = binary.LittleEndian.AppendUint64(b, m.gen)
	b = binary.LittleEndian.AppendUint32(b, m.chunks)
	b = binary.LittleEndian.AppendUint32(b, m.series)
	return binary.LittleEndian.AppendUint32(b, crc32.Checksum(b, castagnoli))
}

func decodeManifest(b []byte) (manifest, error) {
	if len(b) != 4+8+4+4+4 || (string(b[:4]) != manifestMagic && string(b[:4]) != staleKeysMagic) {
		return manifest{}, errors.New("not a regression manifest")
	}
	if crc32.Checksum(b[:len(b)-4], castagnoli) != binary.LittleEndian.Uint32(b[len(b)-4:]) {
		return manifest{}, errors.New("manifest checksum mismatch")
	}
	return manifest{
		gen:       binary.LittleEndian.Uint64(b[4:]),
		chunks:    binary.LittleEndian.Uint32(b[12:]),
		series:    binary.LittleEndian.Uint32(b[16:]),
		staleKeys: string(b[:4]) == staleKeysMagic,
	}, nil
}

func chunkKey(gen uint64, i int) string {
	return "chunk/" + strconv.FormatUint(gen, 10) + "/" + strconv.Itoa(i)
}

func recordSize() int { return 16 + detector.SnapshotSize() }

// save writes every series' baseline to the storage client. The state is
// encoded under the mutex (a copy, about 1.7 KiB per series) and written
// outside it.
func (p *regressionProcessor) save(ctx context.Context) {
	if p.client == nil {
		return
	}
	old, err := p.readManifest(ctx)
	if err != nil {
		p.logger.Warn("regression: previous snapshot manifest unreadable; its chunks will not be deleted", zap.Error(err))
	}
	var chunks [][]byte
	var n int
	p.mu.Lock()
	var cur []byte
	p.eng.Range(func(k series.Key, _ int64, st *detector.State) bool {
		if cur == nil {
			cur = make([]byte, 0, len(chunkMagic)+chunkSeries*recordSize())
			cur = append(cur, chunkMagic...)
		}
		cur = binary.BigEndian.AppendUint64(cur, k.Hi)
		cur = binary.BigEndian.AppendUint64(cur, k.Lo)
		cur = st.AppendBinary(cur)
		n++
		if n%chunkSeries == 0 {
			chunks, cur = append(chunks, cur), nil
		}
		return true
	})
	if cur != nil {
		chunks = append(chunks, cur)
	}
	p.mu.Unlock()

	m := manifest{gen: old.gen + 1, chunks: uint32(len(chunks)), series: uint32(n)}
	for i, c := range chunks {
		if err := p.client.Set(ctx, chunkKey(m.gen, i), c); err != nil {
			p.saveFailed(ctx, fmt.Errorf("chunk %d: %w", i, err))
			return
		}
	}
	if err := p.client.Set(ctx, manifestKey, m.encode()); err != nil {
		p.saveFailed(ctx, fmt.Errorf("manifest: %w", err))
		return
	}
	p.tel.ProcessorRegressionSnapshotSeriesSaved.Add(ctx, int64(n))
	if old.chunks > 0 {
		ops := make([]*storage.Operation, 0, old.chunks)
		for i := 0; i < int(old.chunks); i++ {
			ops = append(ops, storage.DeleteOperation(chunkKey(old.gen, i)))
		}
		if err := p.client.Batch(ctx, ops...); err != nil {
			p.logger.Warn("regression: could not delete the previous snapshot generation", zap.Error(err))
		}
	}
}

func (p *regressionProcessor) saveFailed(ctx context.Context, err error) {
	p.tel.ProcessorRegressionSnapshotFailures.Add(ctx, 1, attrSave)
	p.logger.Warn("regression: saving baselines failed (will retry at the next snapshot_interval; check the storage extension)", zap.Error(err))
}

func (p *regressionProcessor) readManifest(ctx context.Context) (manifest, error) {
	b, err := p.client.Get(ctx, manifestKey)
	if err != nil || b == nil {
		return manifest{}, err
	}
	return decodeManifest(b)
}

// restore loads the saved baselines, at most max_series (the most recently
// seen ones). Failures cost the affected series or chunk, never the start.
func (p *regressionProcessor) restore(ctx context.Context) {
	m, err := p.readManifest(ctx)
	if err != nil {
		p.tel.ProcessorRegressionSnapshotFailures.Add(ctx, 1, attrRestore)
		p.logger.Warn("regression: snapshot manifest unreadable; starting with empty baselines", zap.Error(err))
		return
	}
	if m.staleKeys {
		p.logger.Warn("regression: the saved baselines were keyed by an earlier version's series keys, which this version does not compute; starting with empty baselines (the next snapshot replaces them)",
			zap.Uint32("series", m.series))
		return
	}
	skip := int(m.series) - p.cfg.MaxSeries // the least recently seen beyond max_series
	rs := recordSize()
	var restored, failed int64
	p.mu.Lock()
	defer func() {
		p.active.Store(int64(p.eng.Len()))
		p.mu.Unlock()
		if restored > 0 {
			p.tel.ProcessorRegressionSnapshotSeriesRestored.Add(ctx, restored)
		}
		if failed > 0 {
			p.tel.ProcessorRegressionSnapshotFailures.Add(ctx, failed, attrRestore)
		}
		p.logger.Info("regression: baselines restored", zap.Int64("series", restored), zap.Int64("failures", failed))
	}()
	idx := 0
	for i := 0; i < int(m.chunks); i++ {
		b, err := p.client.Get(ctx, chunkKey(m.gen, i))
		if err != nil || len(b) < len(chunkMagic) || string(b[:len(chunkMagic)]) != chunkMagic {
			failed++
			p.logger.Warn("regression: snapshot chunk missing or corrupt; its series start fresh", zap.Int("chunk", i), zap.Error(err))
			idx += chunkSeries
			continue
		}
		b = b[len(chunkMagic):]
		for ; len(b) >= rs; b = b[rs:] {
			idx++
			if idx <= skip {
				continue
			}
			k := series.Key{Hi: binary.BigEndian.Uint64(b), Lo: binary.BigEndian.Uint64(b[8:])}
			if err := p.eng.Restore(k, b[16:rs]); err != nil {
				failed++
				continue
			}
			restored++
		}
		if len(b) > 0 {
			failed++ // a truncated record
		}
	}
}
