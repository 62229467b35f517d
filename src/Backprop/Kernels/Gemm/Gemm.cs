using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Backprop.Kernels;

/// <summary>
/// Single-precision matrix multiply, C (+)= op(A)·op(B), BLIS-shaped: panels of A (6 rows) and B
/// (32 columns) are packed for each block of K, and a 6×32 register tile of FMAs computes C.
/// Transposed operands are read by the packing, never copied whole. This file holds the loops around
/// the micro-kernel (BLIS's five loops and the two threading strategies); <see cref="GemmPacking"/> the
/// packing; MicroKernel512/256/128/Scalar one register tile per vector width.
/// </summary>
internal static unsafe class Gemm
{
    /// <summary>Rows of C in one register tile.</summary>
    internal const int MR = 6;

    /// <summary>Columns of C in one register tile (two Vector512, four Vector256 or eight Vector128 of floats).</summary>
    internal const int NR = 32;

    /// <summary>The column length from which a transposed A is packed rather than read in place.</summary>
    private const int PackTransposedAFrom = 512;

    /// <summary>
    /// Column panels from which A is packed even where it could be read in place, so that each tile reads its
    /// rows from one contiguous panel in L2 instead of six or twelve rows a whole row of A apart (rows 8 KiB
    /// apart all fall in one set of L1, and the narrower micro-kernels read each row of A two or four times
    /// per tile). On a Zen 4's AVX2 path, n = 2048 on one thread went from 83-85 to 95-99 GFLOP/s; on an
    /// Intel Xeon (model 207), AVX-512, one thread, in alternated pairs in one process: n = 2048 +8.5%
    /// (18 of 21 pairs), 1024×2048×2048 +6.4% (20 of 21). With fewer panels the packing does not pay.
    /// </summary>
    private const int PackAFrom = 16;

    /// <summary>Multiply-adds up to which a plain loop beats packing (tiny matrices, as in the seed network).</summary>
    private const long SmallLimit = 4096;

    /// <summary>Multiply-adds below which one thread does the whole product.</summary>
    private const long ParallelThreshold = 1L << 19;

    /// <summary>Multiply-adds from which threads share packed panels (synchronising per block) instead of packing privately.</summary>
    private const long SharedThreshold = 1L << 27;

    /// <summary>
    /// C[m×n] = op(A)·op(B), or C += op(A)·op(B) with <paramref name="accumulate"/>. op(A) is m×k:
    /// A is stored m×k, or k×m when <paramref name="transA"/>. op(B) is k×n: B is stored k×n, or n×k
    /// when <paramref name="transB"/>. All three are dense and row-major. The result does not depend on
    /// the thread count: every element of C is summed in the same order.
    /// </summary>
    /// <param name="a">A, dense row-major.</param>
    /// <param name="transA">Whether A is stored k×m (use its transpose).</param>
    /// <param name="b">B, dense row-major.</param>
    /// <param name="transB">Whether B is stored n×k (use its transpose).</param>
    /// <param name="c">C, m×n, dense row-major.</param>
    /// <param name="m">Rows of C.</param>
    /// <param name="n">Columns of C.</param>
    /// <param name="k">The inner dimension.</param>
    /// <param name="accumulate">Add the product to C instead of overwriting it.</param>
    public static void Multiply(ReadOnlySpan<float> a, bool transA, ReadOnlySpan<float> b, bool transB, Span<float> c, int m, int n, int k, bool accumulate)
    {
        if (m < 0 || n < 0 || k < 0 || a.Length < (long)m * k || b.Length < (long)k * n || c.Length < (long)m * n)
        {
            throw new ArgumentException($"Gemm.Multiply: m={m}, n={n}, k={k} need A of {(long)m * k}, B of {(long)k * n} and C of {(long)m * n} elements; got {a.Length}, {b.Length} and {c.Length}.");
        }

        if (m == 0 || n == 0)
        {
            return;
        }

        if (k == 0)
        {
            if (!accumulate)
            {
                c[..(m * n)].Clear();
            }

            return;
        }

        fixed (float* pa = a, pb = b, pc = c)
        {
            var job = Job(pa, transA, pb, transB, pc, m, n, k, accumulate);
            if ((long)m * n * k <= SmallLimit)
            {
                Small(ref job);
                return;
            }

            Run(ref job);
        }
    }

    /// <summary>
    /// C[m×n] (+)= A·op(B), where A is an image's im2col matrix (col, or colᵀ) that <paramref name="columns"/>
    /// describes, packed straight from the image (<see cref="Convolution.ImplicitColumns"/>).
    /// </summary>
    /// <param name="columns">The image, the convolution and the orientation of A.</param>
    /// <param name="b">B, dense row-major: k×n, or n×k when <paramref name="transB"/>.</param>
    /// <param name="transB">Whether B is stored n×k.</param>
    /// <param name="c">C, m×n, dense row-major.</param>
    /// <param name="m">Rows of C: the output positions for colᵀ, the taps for col.</param>
    /// <param name="n">Columns of C.</param>
    /// <param name="k">The inner dimension: the taps for colᵀ, the positions for col.</param>
    /// <param name="accumulate">Add the product to C instead of overwriting it.</param>
    public static void MultiplyColumns(Convolution.ImplicitColumns columns, ReadOnlySpan<float> b, bool transB, Span<float> c, int m, int n, int k, bool accumulate)
    {
        if (m <= 0 || n <= 0 || k <= 0 || b.Length < (long)k * n || c.Length < (long)m * n)
        {
            throw new ArgumentException($"Gemm.MultiplyColumns: m={m}, n={n}, k={k} need B of {(long)k * n} and C of {(long)m * n} elements; got {b.Length} and {c.Length}.");
        }

        fixed (float* pb = b, pc = c)
        {
            var job = Job(null, false, pb, transB, pc, m, n, k, accumulate);
            job.Columns = &columns;
            Run(ref job);
        }
    }

    /// <summary>The floats a buffer is rented longer by, so that its packed panels can start on a cache line.</summary>
    private const int AlignFloats = 64 / sizeof(float);

    /// <summary>
    /// The first cache-line boundary at or after <paramref name="p"/>. B's packed panels start there: its
    /// 64-byte loads that straddle two lines cost two, measured on an Intel Xeon (model 207): the AVX-512
    /// micro-kernel in L1 ran at 97 GFLOP/s from aligned panels and at 80 from panels 16 bytes off.
    /// </summary>
    private static float* Align(float* p) => (float*)(((nint)p + 63) & ~(nint)63);

    private static GemmJob Job(float* a, bool transA, float* b, bool transB, float* c, int m, int n, int k, bool accumulate) => new()
    {
        A = a,
        B = b,
        C = c,
        M = m,
        N = n,
        K = k,
        TransA = transA,
        TransB = transB,
        Accumulate = accumulate,
        RowPanels = (m + MR - 1) / MR,
        ColPanels = (n + NR - 1) / NR,
        BlockDepth = GemmBlocking.BlockDepth(k),
    };

    /// <summary>Runs a packed product on the threads it is worth (shared panels for large ones), or on this thread alone when the pool is busy.</summary>
    private static void Run(ref GemmJob job)
    {
        var work = (long)job.M * job.N * job.K;
        var threads = work < ParallelThreshold ? 1 : Math.Min(Threads.Count, Math.Max(job.RowPanels, job.ColPanels));
        job.Threads = threads;
        var ran = false;
        if (threads > 1)
        {
            fixed (GemmJob* pjob = &job)
            {
                ran = work >= SharedThreshold
                    ? Shared(ref job, threads)
                    : WorkSplitter.TryRun(threads, (nint)pjob, static (state, part) => Private(ref *(GemmJob*)state, part, ((GemmJob*)state)->Threads));
            }
        }

        if (!ran)
        {
            Private(ref job, 0, 1);
        }
    }

    /// <summary>A plain loop for tiny products, where packing would cost more than it saves.</summary>
    private static void Small(ref GemmJob job)
    {
        int m = job.M, n = job.N, k = job.K;
        for (var i = 0; i < m; i++)
        {
            for (var j = 0; j < n; j++)
            {
                var sum = job.Accumulate ? job.C[(i * n) + j] : 0f;
                for (var p = 0; p < k; p++)
                {
                    var av = job.TransA ? job.A[(p * m) + i] : job.A[(i * k) + p];
                    var bv = job.TransB ? job.B[(j * k) + p] : job.B[(p * n) + j];
                    sum = MathF.FusedMultiplyAdd(av, bv, sum);
                }

                job.C[(i * n) + j] = sum;
            }
        }
    }

    /// <summary>
    /// Thread <paramref name="part"/> of <paramref name="parts"/> computes its share of C on its own: it packs
    /// the rows (or columns) of its share and all of the smaller operand, so no thread waits for another.
    /// </summary>
    private static void Private(ref GemmJob job, int part, int parts)
    {
        var splitColumns = (long)job.M * job.K <= (long)job.K * job.N;
        int r0 = 0, r1 = job.RowPanels, c0 = 0, c1 = job.ColPanels;
        if (splitColumns)
        {
            (c0, c1) = WorkSplitter.Range(job.ColPanels, part, parts);
        }
        else
        {
            (r0, r1) = WorkSplitter.Range(job.RowPanels, part, parts);
        }

        if (r0 >= r1 || c0 >= c1)
        {
            return;
        }

        var kc = job.BlockDepth;
        var aBuffer = ArrayPool<float>.Shared.Rent(GemmBlocking.MC * kc);
        var bBuffer = ArrayPool<float>.Shared.Rent(((c1 - c0) * NR * kc) + AlignFloats);
        try
        {
            fixed (float* aBlock = aBuffer, bBase = bBuffer)
            {
                var bPack = Align(bBase);
                for (var p0 = 0; p0 < job.K; p0 += kc)
                {
                    var block = job.Block(p0);
                    GemmPacking.PackB(ref block, c0, c1, bPack);
                    Compute(ref block, aBlock, r0, r1, bPack, c0, c0, c1);
                }
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(aBuffer);
            ArrayPool<float>.Shared.Return(bBuffer);
        }
    }

    /// <summary>
    /// For large products: the threads pack the shared panels of B together (each its own share), wait for
    /// each other, then compute their own tiles, block of K after block of K. False when the worker pool is
    /// busy (the caller then works alone).
    /// </summary>
    private static bool Shared(ref GemmJob job, int threads)
    {
        var kc = job.BlockDepth;
        var aBuffer = ArrayPool<float>.Shared.Rent(threads * GemmBlocking.MC * kc);
        var bBuffer = ArrayPool<float>.Shared.Rent((job.ColPanels * NR * kc) + AlignFloats);
        try
        {
            fixed (float* aBlocks = aBuffer, bBase = bBuffer)
            {
                var bPack = Align(bBase);
                using var barrier = new Barrier(threads);
                var handle = (nint)Unsafe.AsPointer(ref job);
                nint aHandle = (nint)aBlocks, bHandle = (nint)bPack;
                return WorkSplitter.TryRun(threads, t =>
                {
                    ref var shared = ref *(GemmJob*)handle;
                    var (bc0, bc1) = WorkSplitter.Range(shared.ColPanels, t, threads);
                    var splitRows = shared.RowPanels >= shared.ColPanels;
                    var (r0, r1) = splitRows ? WorkSplitter.Range(shared.RowPanels, t, threads) : (0, shared.RowPanels);
                    var (c0, c1) = splitRows ? (0, shared.ColPanels) : (bc0, bc1);
                    for (var p0 = 0; p0 < shared.K; p0 += kc)
                    {
                        var block = shared.Block(p0);
                        GemmPacking.PackB(ref block, bc0, bc1, (float*)bHandle + ((long)bc0 * NR * block.Kc));
                        barrier.SignalAndWait();
                        Compute(ref block, (float*)aHandle + ((long)t * GemmBlocking.MC * kc), r0, r1, (float*)bHandle, 0, c0, c1);
                        barrier.SignalAndWait();
                    }
                });
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(aBuffer);
            ArrayPool<float>.Shared.Return(bBuffer);
        }
    }

    /// <summary>
    /// The tiles of row panels r0..r1 and column panels c0..c1, MC rows of A at a time (they stay in L2
    /// while B's packed panels, starting at panel bBase, pass). A is read where it lies, through its row
    /// and column strides, unless it is transposed with long columns (which would touch a new page every
    /// step) or it meets many panels of B (<see cref="PackAFrom"/>): then, like a partial
    /// last panel, it is packed into <paramref name="aBlock"/> first. A convolution's colᵀ is read in place,
    /// through the block's tap offsets, where six positions lie on one output row inside the image, else packed.
    /// </summary>
    private static void Compute(ref GemmJob job, float* aBlock, int r0, int r1, float* bPack, int bBase, int c0, int c1)
    {
        var tableLength = job.Columns == null ? 0 : job.Columns->TableLength(job.Kc);
        var table = tableLength == 0 ? null : ArrayPool<int>.Shared.Rent(tableLength);
        fixed (int* taps = table)
        {
            if (taps != null)
            {
                job.Columns->Tabulate(job.P0, job.Kc, taps);
            }

            ComputeTiles(ref job, aBlock, r0, r1, bPack, bBase, c0, c1, taps);
        }

        if (table is not null)
        {
            ArrayPool<int>.Shared.Return(table);
        }
    }

    /// <summary><see cref="Compute"/>'s loops, with a convolution's tap table (null for other products).</summary>
    private static void ComputeTiles(ref GemmJob job, float* aBlock, int r0, int r1, float* bPack, int bBase, int c0, int c1, int* taps)
    {
        var packAll = job.Columns != null || (job.TransA && job.M >= PackTransposedAFrom) || c1 - c0 >= PackAFrom;
        var tapOffsets = taps == null ? null : taps + (3 * job.Kc);
        var tile = stackalloc float[MR * NR];
        var panelsPerBlock = GemmBlocking.MC / MR;
        for (var rb = r0; rb < r1; rb += panelsPerBlock)
        {
            var rbEnd = Math.Min(r1, rb + panelsPerBlock);
            GemmPacking.PackA(ref job, rb, rbEnd, aBlock, packAll, taps);
            for (var jr = c0; jr < c1; jr++)
            {
                var bPanel = bPack + ((long)(jr - bBase) * NR * job.Kc);
                var cols = Math.Min(NR, job.N - (jr * NR));
                for (var ir = rb; ir < rbEnd; ir++)
                {
                    var rows = Math.Min(MR, job.M - (ir * MR));
                    var aPanel = Panel(ref job, ir, rb, rows, aBlock, packAll, taps, tapOffsets, out var rs, out var cs, out var offsets);
                    var cTile = job.C + ((long)ir * MR * job.N) + (jr * NR);
                    if (rows == MR && cols == NR)
                    {
                        if (Vector512.IsHardwareAccelerated && ir + 1 < rbEnd && job.M - ((ir + 1) * MR) >= MR)
                        {
                            // Two full row panels read alike: one 12×32 tile (MicroKernel512.RunTall).
                            var aPanel2 = Panel(ref job, ir + 1, rb, MR, aBlock, packAll, taps, tapOffsets, out var rs2, out var cs2, out var offsets2);
                            if (rs2 == rs && cs2 == cs && offsets2 == offsets)
                            {
                                MicroKernel.RunTall(job.Kc, aPanel, (nint)(aPanel2 - aPanel), rs, cs, offsets, bPanel, cTile, job.N, job.Load);
                                ir++;
                                continue;
                            }
                        }

                        MicroKernel.Run(job.Kc, aPanel, rs, cs, offsets, bPanel, cTile, job.N, job.Load);
                        continue;
                    }

                    new Span<float>(tile, MR * NR).Clear();
                    if (job.Load)
                    {
                        for (var r = 0; r < rows; r++)
                        {
                            new ReadOnlySpan<float>(cTile + ((long)r * job.N), cols).CopyTo(new Span<float>(tile + (r * NR), cols));
                        }
                    }

                    MicroKernel.Run(job.Kc, aPanel, rs, cs, offsets, bPanel, tile, NR, true);
                    for (var r = 0; r < rows; r++)
                    {
                        new ReadOnlySpan<float>(tile + (r * NR), cols).CopyTo(new Span<float>(cTile + ((long)r * job.N), cols));
                    }
                }
            }
        }
    }

    /// <summary>
    /// Where the micro-kernel reads row panel <paramref name="ir"/> of A (<paramref name="rows"/> rows) in this block:
    /// a convolution's image through the tap offsets, the matrix in place through its strides, or the packed panel.
    /// Inlined: called per tile, a call with three out parameters cost W8's 64-deep Winograd products about 8%.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float* Panel(ref GemmJob job, int ir, int rb, int rows, float* aBlock, bool packAll, int* taps, int* tapOffsets, out nint rs, out nint cs, out int* offsets)
    {
        var inPlace = taps == null ? null : job.Columns->InPlace(ir);
        if (inPlace != null)
        {
            // Read in place, A's column p is at the panel + offsets[p].
            (rs, cs) = (1, 0);
            offsets = tapOffsets;
            return inPlace;
        }

        offsets = null;
        if (rows == MR && !packAll)
        {
            (rs, cs) = job.TransA ? (1, job.M) : (job.K, 1);
            return job.A + (ir * MR * rs) + (job.P0 * cs);
        }

        // Packed: A's column p is MR floats after column p − 1.
        (rs, cs) = (1, MR);
        return aBlock + ((long)(ir - rb) * MR * job.Kc);
    }
}
