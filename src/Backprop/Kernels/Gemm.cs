using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

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

    private const int KC = 256;

    /// <summary>Multiply-adds below which one thread does the whole product.</summary>
    private const long ParallelThreshold = 1L << 20;

    /// <summary>
    /// C[m×n] = op(A)·op(B), or C += op(A)·op(B) with <paramref name="accumulate"/>. op(A) is m×k:
    /// A is stored m×k, or k×m when <paramref name="transA"/>. op(B) is k×n: B is stored k×n, or n×k
    /// when <paramref name="transB"/>. All three are dense and row-major.
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
        if (a.Length < (long)m * k || b.Length < (long)k * n || c.Length < (long)m * n || m < 0 || n < 0 || k < 0)
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

        var rowPanels = (m + MR - 1) / MR;
        var colPanels = (n + NR - 1) / NR;
        var kcMax = Math.Min(KC, k);
        var aPack = ArrayPool<float>.Shared.Rent(rowPanels * MR * kcMax);
        var bPack = ArrayPool<float>.Shared.Rent(colPanels * NR * kcMax);
        try
        {
            fixed (float* pa = a, pb = b, pc = c, ap = aPack, bp = bPack)
            {
                var job = new Job
                {
                    A = pa,
                    B = pb,
                    C = pc,
                    APack = ap,
                    BPack = bp,
                    M = m,
                    N = n,
                    K = k,
                    TransA = transA,
                    TransB = transB,
                    RowPanels = rowPanels,
                    ColPanels = colPanels,
                };
                var threads = (long)m * n * k < ParallelThreshold ? 1 : Math.Min(Threading.NumThreads, Math.Max(rowPanels, colPanels));
                for (var p0 = 0; p0 < k; p0 += KC)
                {
                    job.P0 = p0;
                    job.Kc = Math.Min(KC, k - p0);
                    job.Load = accumulate || p0 > 0;
                    PackA(ref job);
                    PackB(ref job);
                    if (threads == 1)
                    {
                        RunTiles(ref job, 0, 1);
                    }
                    else
                    {
                        var handle = (nint)(&job);
                        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t => RunTiles(ref *(Job*)handle, t, threads));
                    }
                }
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(aPack);
            ArrayPool<float>.Shared.Return(bPack);
        }
    }

    private static void RunTiles(ref Job job, int part, int parts)
    {
        // Split the larger of the two tile dimensions among the threads.
        var splitRows = job.RowPanels >= job.ColPanels;
        var total = splitRows ? job.RowPanels : job.ColPanels;
        var begin = (int)((long)total * part / parts);
        var end = (int)((long)total * (part + 1) / parts);
        int r0 = 0, r1 = job.RowPanels, c0 = 0, c1 = job.ColPanels;
        if (splitRows)
        {
            (r0, r1) = (begin, end);
        }
        else
        {
            (c0, c1) = (begin, end);
        }

        var tile = stackalloc float[MR * NR];
        for (var jr = c0; jr < c1; jr++)
        {
            var bPanel = job.BPack + ((long)jr * NR * job.Kc);
            var cols = Math.Min(NR, job.N - (jr * NR));
            for (var ir = r0; ir < r1; ir++)
            {
                var aPanel = job.APack + ((long)ir * MR * job.Kc);
                var rows = Math.Min(MR, job.M - (ir * MR));
                var cTile = job.C + ((long)ir * MR * job.N) + (jr * NR);
                if (rows == MR && cols == NR)
                {
                    MicroKernel(job.Kc, aPanel, bPanel, cTile, job.N, job.Load);
                    continue;
                }

                for (var i = 0; i < MR * NR; i++)
                {
                    tile[i] = 0f;
                }

                if (job.Load)
                {
                    for (var r = 0; r < rows; r++)
                    {
                        new ReadOnlySpan<float>(cTile + ((long)r * job.N), cols).CopyTo(new Span<float>(tile + (r * NR), cols));
                    }
                }

                MicroKernel(job.Kc, aPanel, bPanel, tile, NR, true);
                for (var r = 0; r < rows; r++)
                {
                    new ReadOnlySpan<float>(tile + (r * NR), cols).CopyTo(new Span<float>(cTile + ((long)r * job.N), cols));
                }
            }
        }
    }

    /// <summary>Packs op(A)[:, p0:p0+kc] into row panels: panel[p·MR + r] = op(A)[panel·MR + r, p0 + p], zero-padded.</summary>
    private static void PackA(ref Job job)
    {
        int m = job.M, k = job.K, kc = job.Kc, p0 = job.P0;
        for (var ir = 0; ir < job.RowPanels; ir++)
        {
            var dst = job.APack + ((long)ir * MR * kc);
            var rows = Math.Min(MR, m - (ir * MR));
            for (var p = 0; p < kc; p++)
            {
                for (var r = 0; r < MR; r++)
                {
                    var i = (ir * MR) + r;
                    dst[(p * MR) + r] = r >= rows ? 0f : job.TransA ? job.A[((long)(p0 + p) * m) + i] : job.A[((long)i * k) + p0 + p];
                }
            }
        }
    }

    /// <summary>Packs op(B)[p0:p0+kc, :] into column panels: panel[p·NR + c] = op(B)[p0 + p, panel·NR + c], zero-padded.</summary>
    private static void PackB(ref Job job)
    {
        int n = job.N, k = job.K, kc = job.Kc, p0 = job.P0;
        for (var jr = 0; jr < job.ColPanels; jr++)
        {
            var dst = job.BPack + ((long)jr * NR * kc);
            var cols = Math.Min(NR, n - (jr * NR));
            for (var p = 0; p < kc; p++)
            {
                var row = dst + (p * NR);
                if (!job.TransB)
                {
                    var src = job.B + ((long)(p0 + p) * n) + (jr * NR);
                    for (var c = 0; c < cols; c++)
                    {
                        row[c] = src[c];
                    }
                }
                else
                {
                    for (var c = 0; c < cols; c++)
                    {
                        row[c] = job.B[((long)((jr * NR) + c) * k) + p0 + p];
                    }
                }

                for (var c = cols; c < NR; c++)
                {
                    row[c] = 0f;
                }
            }
        }
    }

    /// <summary>C[6×32] (+)= Apanel·Bpanel over kc steps, with C rows <paramref name="ldc"/> apart.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MicroKernel(int kc, float* a, float* b, float* c, int ldc, bool load)
    {
        if (!Vector512.IsHardwareAccelerated)
        {
            ScalarMicroKernel(kc, a, b, c, ldc, load);
            return;
        }

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
            var av = Vector512.Create(a[0]);
            c00 = Vector512.FusedMultiplyAdd(av, b0, c00);
            c01 = Vector512.FusedMultiplyAdd(av, b1, c01);
            av = Vector512.Create(a[1]);
            c10 = Vector512.FusedMultiplyAdd(av, b0, c10);
            c11 = Vector512.FusedMultiplyAdd(av, b1, c11);
            av = Vector512.Create(a[2]);
            c20 = Vector512.FusedMultiplyAdd(av, b0, c20);
            c21 = Vector512.FusedMultiplyAdd(av, b1, c21);
            av = Vector512.Create(a[3]);
            c30 = Vector512.FusedMultiplyAdd(av, b0, c30);
            c31 = Vector512.FusedMultiplyAdd(av, b1, c31);
            av = Vector512.Create(a[4]);
            c40 = Vector512.FusedMultiplyAdd(av, b0, c40);
            c41 = Vector512.FusedMultiplyAdd(av, b1, c41);
            av = Vector512.Create(a[5]);
            c50 = Vector512.FusedMultiplyAdd(av, b0, c50);
            c51 = Vector512.FusedMultiplyAdd(av, b1, c51);
            a += MR;
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

    /// <summary>The portable micro-kernel, used where Vector512 is not accelerated.</summary>
    private static void ScalarMicroKernel(int kc, float* a, float* b, float* c, int ldc, bool load)
    {
        for (var r = 0; r < MR; r++)
        {
            for (var j = 0; j < NR; j++)
            {
                var sum = load ? c[(r * ldc) + j] : 0f;
                for (var p = 0; p < kc; p++)
                {
                    sum = MathF.FusedMultiplyAdd(a[(p * MR) + r], b[(p * NR) + j], sum);
                }

                c[(r * ldc) + j] = sum;
            }
        }
    }

    /// <summary>The state of one multiply shared by the packing and tile loops.</summary>
    private struct Job
    {
        public float* A, B, C, APack, BPack;
        public int M, N, K, P0, Kc, RowPanels, ColPanels;
        public bool TransA, TransB, Load;
    }
}
