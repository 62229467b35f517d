using Backprop.Kernels.Elementwise;

namespace Backprop.Tests.Kernels;

/// <summary>
/// Every elementwise operator, run by the generic loop, against a plain reference loop. The lengths
/// reach every step of the cascade (16-, 8- and 4-wide vectors, then single elements); CI runs these
/// tests again with AVX-512 off, with AVX off (Vector128 only) and with intrinsics off (scalar).
/// </summary>
public class ElementwiseOperatorTests
{
    public static TheoryData<int> Lengths => new() { 1, 3, 4, 7, 17, 31, 33, 257, 1000 };

    private static float[] Random(int n, ulong seed, float scale = 3f)
    {
        var a = KernelData.Uniform(n, seed, scale);

        if (n > 2)
        {
            a[1] = 0f;
        }

        return a;
    }

    private static void Near(double expected, float actual, double tolerance, string what, int i) =>
        Assert.True(Math.Abs(expected - actual) <= tolerance * (1 + Math.Abs(expected)), $"{what} at {i}: expected {expected}, got {actual}");

    [Theory]
    [MemberData(nameof(Lengths))]
    public void ReluLeakyAbsClampBackwardsDropoutMaskAndAddMatchTheReference(int n)
    {
        var x = Random(n, 1);
        var g = Random(n, 2);
        var d = new float[n];
        Elementwise.Map(x, g, d, default(ReluBackwardOperator));
        Assert.Equal(Enumerable.Range(0, n).Select(i => x[i] > 0 ? g[i] : 0f), d);
        Elementwise.Map(x, g, d, new LeakyReluBackwardOperator(0.1f));
        Assert.Equal(Enumerable.Range(0, n).Select(i => x[i] > 0 ? g[i] : 0.1f * g[i]), d);
        Elementwise.Map(x, d, new LeakyReluOperator(0.1f));
        Assert.Equal(Enumerable.Range(0, n).Select(i => x[i] > 0 ? x[i] : 0.1f * x[i]), d);
        Elementwise.Map(x, g, d, default(AbsBackwardOperator));
        Assert.Equal(Enumerable.Range(0, n).Select(i => x[i] > 0 ? g[i] : x[i] < 0 ? -g[i] : 0f), d);
        Elementwise.Map(x, g, d, new ClampBackwardOperator(-1f, 0.5f));
        Assert.Equal(Enumerable.Range(0, n).Select(i => x[i] >= -1f && x[i] <= 0.5f ? g[i] : 0f), d);

        // Dropout's mask from draws in [0, 1), in place; 0.25 itself is kept.
        var u = x.Select(v => Math.Abs(v) / 3f).ToArray();
        if (n > 3)
        {
            u[3] = 0.25f;
        }

        var mask = (float[])u.Clone();
        Elementwise.Map(mask, mask, new DropoutMaskOperator(0.25f, 4f / 3f));
        Assert.Equal(u.Select(v => v >= 0.25f ? 4f / 3f : 0f), mask);

        // In place, as col2im adds its runs.
        var sum = (float[])x.Clone();
        Elementwise.Map(sum, g, sum, default(AddOperator));
        Assert.Equal(Enumerable.Range(0, n).Select(i => x[i] + g[i]), sum);
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void GeluAndItsDerivativeMatchTheReference(int n)
    {
        var x = Random(n, 3, 5f);
        var g = Random(n, 4);
        var y = new float[n];
        var d = new float[n];
        Elementwise.Map(x, y, default(GeluOperator));
        Elementwise.Map(x, g, d, default(GeluBackwardOperator));
        for (var i = 0; i < n; i++)
        {
            double v = x[i];
            Near(0.5 * v * (1 + ErfReference.Evaluate(v / Math.Sqrt(2))), y[i], 1e-6, "gelu", i);

            // The derivative against a central difference of the forward, in double.
            const double H = 1e-5;
            var slope = ((0.5 * (v + H) * (1 + ErfReference.Evaluate((v + H) / Math.Sqrt(2)))) - (0.5 * (v - H) * (1 + ErfReference.Evaluate((v - H) / Math.Sqrt(2))))) / (2 * H);
            Near(g[i] * slope, d[i], 1e-5, "gelu backward", i);
        }
    }

    [Fact]
    public void ErfMatchesKnownValues()
    {
        Assert.Equal(0.0, Erf.Evaluate(0f), 6);
        Assert.Equal(0.8427007929, Erf.Evaluate(1f), 6);
        Assert.Equal(-0.9953222650, Erf.Evaluate(-2f), 6);
        Assert.Equal(0.5204998778, Erf.Evaluate(0.5f), 6);
        Assert.Equal(-1f, Erf.Evaluate(-9f));
        Assert.True(float.IsNaN(Erf.Evaluate(float.NaN)));

        // Every width and the scalar path against the double reference, on a fine grid over [-6, 6].
        var grid = Enumerable.Range(0, 12001).Select(i => (i - 6000) / 1000f).ToArray();
        var vector = new float[grid.Length];
        Elementwise.Map(grid, vector, default(ErfProbe));
        for (var i = 0; i < grid.Length; i++)
        {
            var exact = ErfReference.Evaluate(grid[i]);
            Assert.True(Math.Abs(exact - Erf.Evaluate(grid[i])) < 3e-7, $"erf({grid[i]}): {Erf.Evaluate(grid[i])} vs {exact}");
            Assert.True(Math.Abs(exact - vector[i]) < 3e-7, $"vector erf({grid[i]}): {vector[i]} vs {exact}");
        }
        var x = new float[] { float.NaN, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, float.NaN };
        var y = new float[x.Length];
        Elementwise.Map(x, y, default(GeluOperator));
        Assert.True(float.IsNaN(y[0]) && float.IsNaN(y[16]) && y[1] == 0f);
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void BinaryCrossEntropyOperatorsMatchTheReference(int n)
    {
        var x = Random(n, 5, 30f);
        var t = Random(n, 6, 0.5f).Select(v => v + 0.5f).ToArray();
        var loss = new float[n];
        var grad = new float[n];
        Elementwise.Map(x, t, loss, default(BceWithLogitsOperator));
        Elementwise.Map(x, t, grad, default(SigmoidMinusOperator));
        for (var i = 0; i < n; i++)
        {
            double v = x[i];
            Near(Math.Max(v, 0) - (v * t[i]) + Math.Log(1 + Math.Exp(-Math.Abs(v))), loss[i], 1e-5, "bce", i);
            Near((1 / (1 + Math.Exp(-v))) - t[i], grad[i], 1e-6, "sigmoid - t", i);
        }
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void SoftmaxGradientMatchesTheReference(int n)
    {
        var logProbs = Random(n, 10).Select(v => v - 4f).ToArray();
        var grad = Random(n, 11);
        var d = new float[n];
        Elementwise.Map(logProbs, grad, d, new SoftmaxGradientOperator(0.7f, 0.01f));
        for (var i = 0; i < n; i++)
        {
            Near(grad[i] + (0.7 * (Math.Exp(logProbs[i]) - 0.01)), d[i], 1e-6, "softmax gradient", i);
        }
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void SgdMomentumStepMatchesTheReferenceBitForBit(int n)
    {
        foreach (var nesterov in new[] { false, true })
        {
            var p = Random(n, 7);
            var g = Random(n, 8);
            var s = Random(n, 9);
            var (ep, es) = ((float[])p.Clone(), (float[])s.Clone());
            const float Lr = 0.05f, Mu = 0.9f, Wd = 1e-3f, Keep = 0.9f, Scale = 0.8f;
            Elementwise.Update(p, g, s, new SgdMomentumOperator(Lr, Mu, Wd, Keep, Scale, nesterov));
            for (var i = 0; i < n; i++)
            {
                var gi = MathF.FusedMultiplyAdd(Wd, ep[i], g[i]);
                es[i] = MathF.FusedMultiplyAdd(Keep, es[i], Scale * gi);
                ep[i] = MathF.FusedMultiplyAdd(-Lr, nesterov ? MathF.FusedMultiplyAdd(Mu, es[i], gi) : es[i], ep[i]);
            }

            Assert.Equal(ep, p);
            Assert.Equal(es, s);
        }
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void AdamStepMatchesThePassesItReplacedBitForBit(int n)
    {
        foreach (var (wd, decoupled) in new[] { (0f, false), (0.1f, false), (0.1f, true) })
        {
            var p = Random(n, 10);
            var g = Random(n, 11);
            var m = Random(n, 12, 0.5f);
            var v = Random(n, 13).Select(x => x * x).ToArray();
            var (ep, em, ev) = ((float[])p.Clone(), (float[])m.Clone(), (float[])v.Clone());
            const float Lr = 0.01f, B1 = 0.9f, B2 = 0.999f, Eps = 1e-8f, StepSize = 0.03f, SqrtBc2 = 0.2f;
            Elementwise.Update(p, g, m, v, new AdamOperator(B1, B2, Eps, wd, 1f - (Lr * wd), decoupled, StepSize, SqrtBc2));

            // The step as the separate passes Adam ran before: each product and sum rounded on its own.
            for (var i = 0; i < n; i++)
            {
                var gi = g[i];
                if (wd != 0f && decoupled)
                {
                    ep[i] *= 1f - (Lr * wd);
                }
                else if (wd != 0f)
                {
                    gi = (ep[i] * wd) + gi;
                }

                var m1 = em[i] * B1;
                em[i] = (gi * (1f - B1)) + m1;
                var v1 = ev[i] * B2;
                var g2 = gi * gi;
                ev[i] = (g2 * (1f - B2)) + v1;
                var denom = (MathF.Sqrt(ev[i]) / SqrtBc2) + Eps;
                ep[i] = (em[i] / denom * -StepSize) + ep[i];
            }

            Assert.Equal(em, m);
            Assert.Equal(ev, v);
            Assert.Equal(ep, p);
        }
    }

    [Fact]
    public void SpansOfDifferentLengthsAreRefused()
    {
        var e = Assert.Throws<ArgumentException>(() => Elementwise.Map(new float[4], new float[3], default(GeluOperator)));
        Assert.Contains("4 and 3", e.Message, StringComparison.Ordinal);
    }

    /// <summary>erf itself as an elementwise operator, so that the test reaches its vector forms.</summary>
    private readonly struct ErfProbe : IUnaryOperator
    {
        public float Invoke(float x) => Erf.Evaluate(x);

        public System.Runtime.Intrinsics.Vector128<float> Invoke(System.Runtime.Intrinsics.Vector128<float> x) => Erf.Evaluate(x);

        public System.Runtime.Intrinsics.Vector256<float> Invoke(System.Runtime.Intrinsics.Vector256<float> x) => Erf.Evaluate(x);

        public System.Runtime.Intrinsics.Vector512<float> Invoke(System.Runtime.Intrinsics.Vector512<float> x) => Erf.Evaluate(x);
    }
}
