using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Backprop.Kernels;

/// <summary>
/// Single-precision matrix multiply, C (+)= op(A)·op(B), BLIS-shaped: panels of A (6 rows) and B
/// (32 columns) are packed for each block of K, and a 6×32 register tile of FMAs computes C.
/// Transposed operands are read by the packing, never copied whole.
/// </summary>
public static unsafe class Gemm
{
    /// <summary>Rows of C in one register tile.</summary>
    internal const int MR = 6;

    /// <summary>Columns of C in one register tile (two Vector512 of floats).</summary>
    internal const int NR = 32;

    /// <summary>The depth of one packed block of A and B.</summary>
    private const int KC = 256;

    /// <summary>Rows of A packed together, to stay in L2 while B's panels stream past.</summary>
    private const int MC = 240;

    /// <summary>The column length from which a transposed A is packed rather than read in place.</summary>
    private const int PackTransposedAFrom = 512;

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

        var work = (long)m * n * k;
        fixed (float* pa = a, pb = b, pc = c)
        {
            var job = new Job
            {
                A = pa,
                B = pb,
                C = pc,
                M = m,
                N = n,
                K = k,
                TransA = transA,
                TransB = transB,
                Accumulate = accumulate,
                RowPanels = (m + MR - 1) / MR,
                ColPanels = (n + NR - 1) / NR,
            };
            if (work <= SmallLimit)
            {
                Small(ref job);
                return;
            }

            var threads = work < ParallelThreshold ? 1 : Math.Min(Threading.NumThreads, Math.Max(job.RowPanels, job.ColPanels));
            var handle = (nint)(&job);
            var ran = threads > 1 && (work >= SharedThreshold
                ? Shared(ref job, threads)
                : WorkerPool.TryRun(threads, t => Private(ref *(Job*)handle, t, threads)));
            if (!ran)
            {
                Private(ref job, 0, 1);
            }
        }
    }

    /// <summary>A plain loop for tiny products, where packing would cost more than it saves.</summary>
    private static void Small(ref Job job)
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
    private static void Private(ref Job job, int part, int parts)
    {
        var splitColumns = (long)job.M * job.K <= (long)job.K * job.N;
        int r0 = 0, r1 = job.RowPanels, c0 = 0, c1 = job.ColPanels;
        if (splitColumns)
        {
            (c0, c1) = Range(job.ColPanels, part, parts);
        }
        else
        {
            (r0, r1) = Range(job.RowPanels, part, parts);
        }

        if (r0 >= r1 || c0 >= c1)
        {
            return;
        }

        var kc = Math.Min(KC, job.K);
        var aBuffer = ArrayPool<float>.Shared.Rent(MC * kc);
        var bBuffer = ArrayPool<float>.Shared.Rent((c1 - c0) * NR * kc);
        try
        {
            fixed (float* aBlock = aBuffer, bPack = bBuffer)
            {
                for (var p0 = 0; p0 < job.K; p0 += KC)
                {
                    var block = job.Block(p0);
                    PackB(ref block, c0, c1, bPack);
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
    private static bool Shared(ref Job job, int threads)
    {
        var kc = Math.Min(KC, job.K);
        var aBuffer = ArrayPool<float>.Shared.Rent(threads * MC * kc);
        var bBuffer = ArrayPool<float>.Shared.Rent(job.ColPanels * NR * kc);
        try
        {
            fixed (float* aBlocks = aBuffer, bPack = bBuffer)
            {
                using var barrier = new Barrier(threads);
                var handle = (nint)Unsafe.AsPointer(ref job);
                nint aHandle = (nint)aBlocks, bHandle = (nint)bPack;
                return WorkerPool.TryRun(threads, t =>
                {
                    ref var shared = ref *(Job*)handle;
                    var (bc0, bc1) = Range(shared.ColPanels, t, threads);
                    var splitRows = shared.RowPanels >= shared.ColPanels;
                    var (r0, r1) = splitRows ? Range(shared.RowPanels, t, threads) : (0, shared.RowPanels);
                    var (c0, c1) = splitRows ? (0, shared.ColPanels) : (bc0, bc1);
                    for (var p0 = 0; p0 < shared.K; p0 += KC)
                    {
                        var block = shared.Block(p0);
                        PackB(ref block, bc0, bc1, (float*)bHandle + ((long)bc0 * NR * block.Kc));
                        barrier.SignalAndWait();
                        Compute(ref block, (float*)aHandle + ((long)t * MC * kc), r0, r1, (float*)bHandle, 0, c0, c1);
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

    private static (int Begin, int End) Range(int total, int part, int parts) =>
        ((int)((long)total * part / parts), (int)((long)total * (part + 1) / parts));

    /// <summary>
    /// The tiles of row panels r0..r1 and column panels c0..c1, MC rows of A at a time (they stay in L2
    /// while B's packed panels, starting at panel bBase, pass). A is read where it lies, through its row
    /// and column strides, unless it is transposed with long columns (which would touch a new page every
    /// step): then, like a partial last panel, it is packed into <paramref name="aBlock"/> first.
    /// </summary>
    private static void Compute(ref Job job, float* aBlock, int r0, int r1, float* bPack, int bBase, int c0, int c1)
    {
        nint rowStride = job.TransA ? 1 : job.K, colStride = job.TransA ? job.M : 1;
        var packAll = job.TransA && job.M >= PackTransposedAFrom;
        var tile = stackalloc float[MR * NR];
        const int PanelsPerBlock = MC / MR;
        for (var rb = r0; rb < r1; rb += PanelsPerBlock)
        {
            var rbEnd = Math.Min(r1, rb + PanelsPerBlock);
            PackA(ref job, rb, rbEnd, aBlock, packAll);
            for (var jr = c0; jr < c1; jr++)
            {
                var bPanel = bPack + ((long)(jr - bBase) * NR * job.Kc);
                var cols = Math.Min(NR, job.N - (jr * NR));
                for (var ir = rb; ir < rbEnd; ir++)
                {
                    var rows = Math.Min(MR, job.M - (ir * MR));
                    float* aPanel;
                    nint rs, cs;
                    if (rows == MR && !packAll)
                    {
                        aPanel = job.A + (ir * MR * rowStride) + (job.P0 * colStride);
                        (rs, cs) = (rowStride, colStride);
                    }
                    else
                    {
                        aPanel = aBlock + ((long)(ir - rb) * MR * job.Kc);
                        (rs, cs) = (1, MR);
                    }

                    var cTile = job.C + ((long)ir * MR * job.N) + (jr * NR);
                    if (rows == MR && cols == NR)
                    {
                        MicroKernel(job.Kc, aPanel, rs, cs, bPanel, cTile, job.N, job.Load);
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

                    MicroKernel(job.Kc, aPanel, rs, cs, bPanel, tile, NR, true);
                    for (var r = 0; r < rows; r++)
                    {
                        new ReadOnlySpan<float>(tile + (r * NR), cols).CopyTo(new Span<float>(cTile + ((long)r * job.N), cols));
                    }
                }
            }
        }
    }

    /// <summary>
    /// Packs row panels r0..r1 of op(A)[:, p0:p0+kc] into <paramref name="dst"/> (panel[p·MR + r] =
    /// op(A)[panel·MR + r, p0 + p], zero-padded): all of them with <paramref name="all"/>, else only a partial
    /// last panel, since full panels are read in place.
    /// </summary>
    private static void PackA(ref Job job, int r0, int r1, float* dst, bool all)
    {
        int m = job.M, k = job.K, kc = job.Kc, p0 = job.P0;
        for (var ir = r0; ir < r1; ir++)
        {
            var i0 = ir * MR;
            var rows = Math.Min(MR, m - i0);
            if (rows == MR && !all)
            {
                continue;
            }

            var panel = dst + ((long)(ir - r0) * MR * kc);
            if (rows < MR)
            {
                new Span<float>(panel, MR * kc).Clear();
            }

            if (job.TransA)
            {
                for (var p = 0; p < kc; p++)
                {
                    new ReadOnlySpan<float>(job.A + ((long)(p0 + p) * m) + i0, rows).CopyTo(new Span<float>(panel + (p * MR), rows));
                }
            }
            else
            {
                for (var r = 0; r < rows; r++)
                {
                    var src = job.A + ((long)(i0 + r) * k) + p0;
                    for (var p = 0; p < kc; p++)
                    {
                        panel[(p * MR) + r] = src[p];
                    }
                }
            }
        }
    }

    /// <summary>Packs column panels c0..c1 of op(B)[p0:p0+kc, :]: panel[p·NR + c] = op(B)[p0 + p, panel·NR + c], zero-padded.</summary>
    private static void PackB(ref Job job, int c0, int c1, float* dst)
    {
        int n = job.N, k = job.K, kc = job.Kc, p0 = job.P0;
        for (var jr = c0; jr < c1; jr++, dst += NR * kc)
        {
            var j0 = jr * NR;
            var cols = Math.Min(NR, n - j0);
            if (cols < NR)
            {
                new Span<float>(dst, NR * kc).Clear();
            }

            if (job.TransB)
            {
                var src = job.B + ((long)j0 * k) + p0;
                var p = 0;
                if (Avx.IsSupported && cols == NR)
                {
                    for (; p + 8 <= kc; p += 8)
                    {
                        for (var c = 0; c < NR; c += 8)
                        {
                            Transpose8x8(src + ((long)c * k) + p, k, dst + (p * NR) + c, NR);
                        }
                    }
                }

                for (; p < kc; p++)
                {
                    var row = dst + (p * NR);
                    for (var c = 0; c < cols; c++)
                    {
                        row[c] = src[((long)c * k) + p];
                    }
                }
            }
            else
            {
                for (var p = 0; p < kc; p++)
                {
                    new ReadOnlySpan<float>(job.B + ((long)(p0 + p) * n) + j0, cols).CopyTo(new Span<float>(dst + (p * NR), cols));
                }
            }
        }
    }

    /// <summary>Writes the transpose of the 8×8 block at <paramref name="src"/> (rows srcStride apart) to <paramref name="dst"/> (rows dstStride apart).</summary>
    private static void Transpose8x8(float* src, nint srcStride, float* dst, nint dstStride)
    {
        var r0 = Avx.LoadVector256(src);
        var r1 = Avx.LoadVector256(src + srcStride);
        var r2 = Avx.LoadVector256(src + (2 * srcStride));
        var r3 = Avx.LoadVector256(src + (3 * srcStride));
        var r4 = Avx.LoadVector256(src + (4 * srcStride));
        var r5 = Avx.LoadVector256(src + (5 * srcStride));
        var r6 = Avx.LoadVector256(src + (6 * srcStride));
        var r7 = Avx.LoadVector256(src + (7 * srcStride));
        var t0 = Avx.UnpackLow(r0, r1);
        var t1 = Avx.UnpackHigh(r0, r1);
        var t2 = Avx.UnpackLow(r2, r3);
        var t3 = Avx.UnpackHigh(r2, r3);
        var t4 = Avx.UnpackLow(r4, r5);
        var t5 = Avx.UnpackHigh(r4, r5);
        var t6 = Avx.UnpackLow(r6, r7);
        var t7 = Avx.UnpackHigh(r6, r7);
        var u0 = Avx.Shuffle(t0, t2, 0x44);
        var u1 = Avx.Shuffle(t0, t2, 0xEE);
        var u2 = Avx.Shuffle(t1, t3, 0x44);
        var u3 = Avx.Shuffle(t1, t3, 0xEE);
        var u4 = Avx.Shuffle(t4, t6, 0x44);
        var u5 = Avx.Shuffle(t4, t6, 0xEE);
        var u6 = Avx.Shuffle(t5, t7, 0x44);
        var u7 = Avx.Shuffle(t5, t7, 0xEE);
        Avx.Store(dst, Avx.Permute2x128(u0, u4, 0x20));
        Avx.Store(dst + dstStride, Avx.Permute2x128(u1, u5, 0x20));
        Avx.Store(dst + (2 * dstStride), Avx.Permute2x128(u2, u6, 0x20));
        Avx.Store(dst + (3 * dstStride), Avx.Permute2x128(u3, u7, 0x20));
        Avx.Store(dst + (4 * dstStride), Avx.Permute2x128(u0, u4, 0x31));
        Avx.Store(dst + (5 * dstStride), Avx.Permute2x128(u1, u5, 0x31));
        Avx.Store(dst + (6 * dstStride), Avx.Permute2x128(u2, u6, 0x31));
        Avx.Store(dst + (7 * dstStride), Avx.Permute2x128(u3, u7, 0x31));
    }

    /// <summary>
    /// C[6×32] (+)= A[6×kc]·Bpanel over kc steps, with C rows <paramref name="ldc"/> apart. Row r of A at step
    /// p is a[r·rs + p·cs], so A can be a packed panel (rs 1, cs 6) or the matrix itself, either layout.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void MicroKernel(int kc, float* a, nint rs, nint cs, float* b, float* c, int ldc, bool load)
    {
        if (!Vector512.IsHardwareAccelerated)
        {
            if (Vector256.IsHardwareAccelerated)
            {
                MicroKernel256(kc, a, rs, cs, b, c, ldc, load);
                MicroKernel256(kc, a, rs, cs, b + 16, c + 16, ldc, load);
            }
            else
            {
                ScalarMicroKernel(kc, a, rs, cs, b, c, ldc, load);
            }

            return;
        }

        float* a0 = a, a1 = a + rs, a2 = a + (2 * rs), a3 = a + (3 * rs), a4 = a + (4 * rs), a5 = a + (5 * rs);

        Vector512<float> c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51;
        if (load)
        {
            c00 = Vector512.Load(c);
            c01 = Vector512.Load(c + 16);
            c10 = Vector512.Load(c + ldc);
            c11 = Vector512.Load(c + ldc + 16);
            c20 = Vector512.Load(c + (2 * ldc));
            c21 = Vector512.Load(c + (2 * ldc) + 16);
            c30 = Vector512.Load(c + (3 * ldc));
            c31 = Vector512.Load(c + (3 * ldc) + 16);
            c40 = Vector512.Load(c + (4 * ldc));
            c41 = Vector512.Load(c + (4 * ldc) + 16);
            c50 = Vector512.Load(c + (5 * ldc));
            c51 = Vector512.Load(c + (5 * ldc) + 16);
        }
        else
        {
            c00 = c01 = c10 = c11 = c20 = c21 = c30 = c31 = c40 = c41 = c50 = c51 = Vector512<float>.Zero;
        }

        for (var p = 0; p < kc; p++)
        {
            var b0 = Vector512.Load(b);
            var b1 = Vector512.Load(b + 16);
            var av = Vector512.Create(*a0);
            c00 = Vector512.FusedMultiplyAdd(av, b0, c00);
            c01 = Vector512.FusedMultiplyAdd(av, b1, c01);
            av = Vector512.Create(*a1);
            c10 = Vector512.FusedMultiplyAdd(av, b0, c10);
            c11 = Vector512.FusedMultiplyAdd(av, b1, c11);
            av = Vector512.Create(*a2);
            c20 = Vector512.FusedMultiplyAdd(av, b0, c20);
            c21 = Vector512.FusedMultiplyAdd(av, b1, c21);
            av = Vector512.Create(*a3);
            c30 = Vector512.FusedMultiplyAdd(av, b0, c30);
            c31 = Vector512.FusedMultiplyAdd(av, b1, c31);
            av = Vector512.Create(*a4);
            c40 = Vector512.FusedMultiplyAdd(av, b0, c40);
            c41 = Vector512.FusedMultiplyAdd(av, b1, c41);
            av = Vector512.Create(*a5);
            c50 = Vector512.FusedMultiplyAdd(av, b0, c50);
            c51 = Vector512.FusedMultiplyAdd(av, b1, c51);
            a0 += cs;
            a1 += cs;
            a2 += cs;
            a3 += cs;
            a4 += cs;
            a5 += cs;
            b += NR;
        }

        c00.Store(c);
        c01.Store(c + 16);
        c10.Store(c + ldc);
        c11.Store(c + ldc + 16);
        c20.Store(c + (2 * ldc));
        c21.Store(c + (2 * ldc) + 16);
        c30.Store(c + (3 * ldc));
        c31.Store(c + (3 * ldc) + 16);
        c40.Store(c + (4 * ldc));
        c41.Store(c + (4 * ldc) + 16);
        c50.Store(c + (5 * ldc));
        c51.Store(c + (5 * ldc) + 16);
    }

    /// <summary>
    /// The AVX2 micro-kernel: C[6×16] (+)= A[6×kc]·B[kc×16], with B's rows NR apart (one half of a packed
    /// panel). Twelve Vector256 accumulators fit the sixteen AVX2 registers; the full 6×32 tile is two calls.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void MicroKernel256(int kc, float* a, nint rs, nint cs, float* b, float* c, int ldc, bool load)
    {
        float* a0 = a, a1 = a + rs, a2 = a + (2 * rs), a3 = a + (3 * rs), a4 = a + (4 * rs), a5 = a + (5 * rs);
        Vector256<float> c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51;
        if (load)
        {
            c00 = Vector256.Load(c);
            c01 = Vector256.Load(c + 8);
            c10 = Vector256.Load(c + ldc);
            c11 = Vector256.Load(c + ldc + 8);
            c20 = Vector256.Load(c + (2 * ldc));
            c21 = Vector256.Load(c + (2 * ldc) + 8);
            c30 = Vector256.Load(c + (3 * ldc));
            c31 = Vector256.Load(c + (3 * ldc) + 8);
            c40 = Vector256.Load(c + (4 * ldc));
            c41 = Vector256.Load(c + (4 * ldc) + 8);
            c50 = Vector256.Load(c + (5 * ldc));
            c51 = Vector256.Load(c + (5 * ldc) + 8);
        }
        else
        {
            c00 = c01 = c10 = c11 = c20 = c21 = c30 = c31 = c40 = c41 = c50 = c51 = Vector256<float>.Zero;
        }

        for (var p = 0; p < kc; p++)
        {
            var b0 = Vector256.Load(b);
            var b1 = Vector256.Load(b + 8);
            var av = Vector256.Create(*a0);
            c00 = Vector256.FusedMultiplyAdd(av, b0, c00);
            c01 = Vector256.FusedMultiplyAdd(av, b1, c01);
            av = Vector256.Create(*a1);
            c10 = Vector256.FusedMultiplyAdd(av, b0, c10);
            c11 = Vector256.FusedMultiplyAdd(av, b1, c11);
            av = Vector256.Create(*a2);
            c20 = Vector256.FusedMultiplyAdd(av, b0, c20);
            c21 = Vector256.FusedMultiplyAdd(av, b1, c21);
            av = Vector256.Create(*a3);
            c30 = Vector256.FusedMultiplyAdd(av, b0, c30);
            c31 = Vector256.FusedMultiplyAdd(av, b1, c31);
            av = Vector256.Create(*a4);
            c40 = Vector256.FusedMultiplyAdd(av, b0, c40);
            c41 = Vector256.FusedMultiplyAdd(av, b1, c41);
            av = Vector256.Create(*a5);
            c50 = Vector256.FusedMultiplyAdd(av, b0, c50);
            c51 = Vector256.FusedMultiplyAdd(av, b1, c51);
            a0 += cs;
            a1 += cs;
            a2 += cs;
            a3 += cs;
            a4 += cs;
            a5 += cs;
            b += NR;
        }

        c00.Store(c);
        c01.Store(c + 8);
        c10.Store(c + ldc);
        c11.Store(c + ldc + 8);
        c20.Store(c + (2 * ldc));
        c21.Store(c + (2 * ldc) + 8);
        c30.Store(c + (3 * ldc));
        c31.Store(c + (3 * ldc) + 8);
        c40.Store(c + (4 * ldc));
        c41.Store(c + (4 * ldc) + 8);
        c50.Store(c + (5 * ldc));
        c51.Store(c + (5 * ldc) + 8);
    }

    /// <summary>The portable micro-kernel, used where neither Vector512 nor Vector256 is accelerated.</summary>
    internal static void ScalarMicroKernel(int kc, float* a, nint rs, nint cs, float* b, float* c, int ldc, bool load)
    {
        for (var r = 0; r < MR; r++)
        {
            for (var j = 0; j < NR; j++)
            {
                var sum = load ? c[(r * ldc) + j] : 0f;
                for (var p = 0; p < kc; p++)
                {
                    sum = MathF.FusedMultiplyAdd(a[(r * rs) + (p * cs)], b[(p * NR) + j], sum);
                }

                c[(r * ldc) + j] = sum;
            }
        }
    }

    /// <summary>The operands of one multiply, and the block of K being worked on.</summary>
    private struct Job
    {
        public float* A, B, C;
        public int M, N, K, P0, Kc, RowPanels, ColPanels;
        public bool TransA, TransB, Accumulate, Load;

        /// <summary>This job restricted to the block of K starting at <paramref name="p0"/>.</summary>
        public readonly Job Block(int p0)
        {
            var block = this;
            block.P0 = p0;
            block.Kc = Math.Min(KC, K - p0);
            block.Load = Accumulate || p0 > 0;
            return block;
        }
    }
}
