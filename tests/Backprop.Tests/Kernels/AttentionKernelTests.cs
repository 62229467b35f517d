using Backprop.Kernels.Attention;

namespace Backprop.Tests.Kernels;

/// <summary>The fused attention kernel against plain loops in double, on awkward sizes and on both layouts.</summary>
public class AttentionKernelTests
{
    public static TheoryData<int, int, int, int, int, bool, int, bool> Cases => new()
    {
        // batch, heads, Tq, Tk, D, causal, offset, bias
        { 1, 1, 1, 1, 1, false, 0, false },
        { 2, 3, 5, 7, 3, false, 0, true },
        { 1, 2, 9, 9, 13, true, 0, false },
        { 2, 1, 4, 11, 33, true, 7, true },
        { 3, 2, 17, 17, 8, true, 0, true },
        { 1, 4, 2, 6, 16, true, -1, false },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesThePlainLoops(int batch, int heads, int tq, int tk, int dim, bool causal, int offset, bool withBias)
    {
        // Queries packed with other columns in [B, T, width] rows (as a fused projection writes them); keys and values contiguous [B, H, T, D].
        var width = (heads * dim) + 5;
        var q = KernelData.Uniform(batch * tq * width, 1, 2f);
        var k = KernelData.Uniform(batch * heads * tk * dim, 2, 2f);
        var v = KernelData.Uniform(batch * heads * tk * dim, 3);
        var bias = withBias ? KernelData.Uniform(heads * tq * tk, 4, 3f) : null;
        var shape = new AttentionShape(batch, heads, tq, tk, dim,
            HeadLayout.Interleaved(tq, width, dim, 2), HeadLayout.Contiguous(heads, tk, dim), HeadLayout.Contiguous(heads, tk, dim), HeadLayout.Contiguous(heads, tq, dim),
            0.7f, causal, offset, BiasBatchStride: 0, BiasHeadStride: tq * tk);
        var kernel = new AttentionKernel(shape, q, k, v, bias, new float[batch * heads * tq * tk]);
        var output = new float[batch * heads * tq * dim];
        kernel.Forward(output);

        // Without kept probabilities (inference) the forward holds one row of scores at a time, to the same result.
        var rowByRow = new float[output.Length];
        new AttentionKernel(shape, q, k, v, bias, null).Forward(rowByRow);
        Assert.Equal(output, rowByRow);

        var gradOutput = KernelData.Uniform(output.Length, 5);
        var gq = KernelData.Uniform(q.Length, 6);
        var gk = new float[k.Length];
        var gv = new float[v.Length];
        var gqBefore = (float[])gq.Clone();
        kernel.Backward(gradOutput, gq, gk, gv);

        var reference = new Reference(shape, q, k, v, bias, gradOutput);
        for (int b = 0; b < batch; b++)
        {
            for (int h = 0; h < heads; h++)
            {
                for (int i = 0; i < tq; i++)
                {
                    for (int d = 0; d < dim; d++)
                    {
                        Close(reference.Output(b, h, i, d), output[shape.Output.Row(b, h, i) + d], "output");
                        var at = shape.Queries.Row(b, h, i) + d;
                        Close(gqBefore[at] + reference.GradQuery(b, h, i, d), gq[at], "dq");
                    }
                }

                for (int j = 0; j < tk; j++)
                {
                    for (int d = 0; d < dim; d++)
                    {
                        Close(reference.GradKey(b, h, j, d), gk[shape.Keys.Row(b, h, j) + d], "dk");
                        Close(reference.GradValue(b, h, j, d), gv[shape.Values.Row(b, h, j) + d], "dv");
                    }
                }
            }
        }

        // The columns of the packed rows that belong to no head are left alone.
        for (int r = 0; r < batch * tq; r++)
        {
            foreach (var c in new[] { 0, 1, width - 3, width - 2, width - 1 })
            {
                Assert.Equal(gqBefore[(r * width) + c], gq[(r * width) + c]);
            }
        }
    }

    [Fact]
    public void AQueryThatMaySeeNoKeyGivesZeros()
    {
        var shape = new AttentionShape(1, 1, 3, 2, 4, HeadLayout.Contiguous(1, 3, 4), HeadLayout.Contiguous(1, 2, 4), HeadLayout.Contiguous(1, 2, 4), HeadLayout.Contiguous(1, 3, 4), 1f, Causal: true, CausalOffset: -1);
        var kernel = new AttentionKernel(shape, KernelData.Uniform(12, 1), KernelData.Uniform(8, 2), KernelData.Uniform(8, 3), null, new float[6]);
        var output = new float[12];
        kernel.Forward(output);
        Assert.All(output.AsSpan(0, 4).ToArray(), x => Assert.Equal(0f, x));
        Assert.Equal(1f, kernel.Probabilities![2]);
        Assert.Contains(output.AsSpan(4).ToArray(), x => x != 0f);
    }

    private static void Close(double expected, float actual, string what) =>
        Assert.True(Math.Abs(expected - actual) <= 2e-6 * (1 + Math.Abs(expected)), $"{what}: expected {expected}, got {actual}");

    /// <summary>Attention and its gradients written out in double, one element at a time.</summary>
    private sealed class Reference
    {
        private readonly AttentionShape _s;
        private readonly float[] _q, _k, _v, _g;
        private readonly float[]? _bias;

        public Reference(AttentionShape s, float[] q, float[] k, float[] v, float[]? bias, float[] g)
        {
            (_s, _q, _k, _v, _bias, _g) = (s, q, k, v, bias, g);
        }

        private bool Visible(int i, int j) => !_s.Causal || j <= i + _s.CausalOffset;

        private double Q(int b, int h, int i, int d) => _q[_s.Queries.Row(b, h, i) + d];

        private double K(int b, int h, int j, int d) => _k[_s.Keys.Row(b, h, j) + d];

        private double V(int b, int h, int j, int d) => _v[_s.Values.Row(b, h, j) + d];

        private double G(int b, int h, int i, int d) => _g[_s.Output.Row(b, h, i) + d];

        private double[] Probabilities(int b, int h, int i)
        {
            var p = new double[_s.KeySteps];
            var max = double.NegativeInfinity;
            for (int j = 0; j < p.Length; j++)
            {
                if (!Visible(i, j))
                {
                    p[j] = double.NegativeInfinity;
                    continue;
                }

                var s = 0.0;
                for (int d = 0; d < _s.HeadDim; d++)
                {
                    s += Q(b, h, i, d) * K(b, h, j, d);
                }

                p[j] = (s * _s.Scale) + (_bias is null ? 0 : _bias[(h * _s.BiasHeadStride) + (i * _s.KeySteps) + j]);
                max = Math.Max(max, p[j]);
            }

            var sum = 0.0;
            for (int j = 0; j < p.Length; j++)
            {
                p[j] = Visible(i, j) ? Math.Exp(p[j] - max) : 0;
                sum += p[j];
            }

            return p.Select(x => sum == 0 ? 0 : x / sum).ToArray();
        }

        public double Output(int b, int h, int i, int d)
        {
            var p = Probabilities(b, h, i);
            return Enumerable.Range(0, p.Length).Sum(j => p[j] * V(b, h, j, d));
        }

        /// <summary>dL/dscore[i, j] before the scale: p ⊙ (dp − Σ p ⊙ dp) with dp[j] = g_i · v_j.</summary>
        private double[] ScoreGrad(int b, int h, int i)
        {
            var p = Probabilities(b, h, i);
            var dp = Enumerable.Range(0, p.Length).Select(j => Enumerable.Range(0, _s.HeadDim).Sum(d => G(b, h, i, d) * V(b, h, j, d))).ToArray();
            var dot = p.Zip(dp).Sum(x => x.First * x.Second);
            return p.Zip(dp).Select(x => x.First * (x.Second - dot) * _s.Scale).ToArray();
        }

        public double GradQuery(int b, int h, int i, int d)
        {
            var ds = ScoreGrad(b, h, i);
            return Enumerable.Range(0, ds.Length).Sum(j => ds[j] * K(b, h, j, d));
        }

        public double GradKey(int b, int h, int j, int d) =>
            Enumerable.Range(0, _s.QuerySteps).Sum(i => ScoreGrad(b, h, i)[j] * Q(b, h, i, d));

        public double GradValue(int b, int h, int j, int d) =>
            Enumerable.Range(0, _s.QuerySteps).Sum(i => Probabilities(b, h, i)[j] * G(b, h, i, d));
    }
}
