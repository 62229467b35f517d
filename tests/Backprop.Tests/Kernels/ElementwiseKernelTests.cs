using Backprop.Kernels;

namespace Backprop.Tests.Kernels;

public class ElementwiseKernelTests
{
    private static float[] Random(int n, ulong seed) => KernelData.Uniform(n, seed, 3f);

    [Fact]
    public void NaNAndInfinityPropagateThroughElementwiseOps()
    {
        var x = Tensor.FromArray([float.NaN, float.PositiveInfinity, float.NegativeInfinity, 1f], 4);
        var relu = x.Relu().ToArray();
        Assert.True(float.IsNaN(relu[0]));
        Assert.Equal(float.PositiveInfinity, relu[1]);
        Assert.Equal(0f, relu[2]);
        Assert.True(float.IsNaN(x.Exp().ToArray()[0]));
        Assert.Equal(0f, x.Exp().ToArray()[2]);
        Assert.True(float.IsNaN(x.Sigmoid().ToArray()[0]));
        Assert.True(float.IsNaN(x.Gelu().ToArray()[0]));
        Assert.True(float.IsNaN(x.Sum().Item()));
        Assert.True(float.IsNaN(x.Softmax(0).ToArray()[3]));
        Assert.True(float.IsNaN((x * 0f).ToArray()[1]));
        Assert.True(float.IsNaN(x.Max().Item()));
    }

    [Theory]
    [InlineData(new[] { 3, 4 }, new[] { 4 })]
    [InlineData(new[] { 2, 1, 5 }, new[] { 3, 1 })]
    [InlineData(new[] { 1 }, new[] { 33, 17 })]
    [InlineData(new[] { 5, 1, 3 }, new[] { 1, 4, 1 })]
    public void BroadcastingMatchesReference(int[] aShape, int[] bShape)
    {
        var shape = Shapes.Broadcast("Test", aShape, bShape);
        var a = Random(Shapes.Numel(aShape), 3);
        var b = Random(Shapes.Numel(bShape), 4);
        var d = new float[Shapes.Numel(shape)];
        Broadcasting.Binary<float, SubOp>(a, aShape, b, bShape, d, shape);
        var a64 = a.Select(v => (double)v + 1e-9).ToArray();
        var b64 = b.Select(v => (double)v).ToArray();
        var d64 = new double[d.Length];
        Broadcasting.Binary<double, SubOp>(a64, aShape, b64, bShape, d64, shape);
        var aStrides = Shapes.BroadcastStrides(aShape, shape);
        var bStrides = Shapes.BroadcastStrides(bShape, shape);
        var strides = Shapes.Strides(shape);
        var sum = new float[b.Length];
        for (var flat = 0; flat < d.Length; flat++)
        {
            int ai = 0, bi = 0, rest = flat;
            for (var dim = 0; dim < shape.Length; dim++)
            {
                var idx = rest / strides[dim];
                rest %= strides[dim];
                ai += idx * aStrides[dim];
                bi += idx * bStrides[dim];
            }

            Assert.Equal(a[ai] - b[bi], d[flat]);
            Assert.Equal(a64[ai] - b64[bi], d64[flat]);
            sum[bi] += d[flat];
        }

        var reduced = new float[b.Length];
        Broadcasting.SumInto(d, shape, reduced, bShape);
        for (var i = 0; i < b.Length; i++)
        {
            Assert.Equal(sum[i], reduced[i], 3);
        }
    }

    [Fact]
    public void ReductionsMatchReference()
    {
        int outer = 3, size = 5, inner = 7;
        var x = Random(outer * size * inner, 5);
        var sums = new float[outer * inner];
        var max = new float[outer * inner];
        var idx = new int[outer * inner];
        Reductions.Sum(x, outer, size, inner, sums);
        Reductions.ArgExtreme(x, outer, size, inner, false, max, idx);
        for (var o = 0; o < outer; o++)
        {
            for (var i = 0; i < inner; i++)
            {
                float s = 0, m = float.NegativeInfinity;
                var mi = -1;
                for (var j = 0; j < size; j++)
                {
                    var v = x[(((o * size) + j) * inner) + i];
                    s += v;
                    if (v > m)
                    {
                        m = v;
                        mi = j;
                    }
                }

                Assert.Equal(s, sums[(o * inner) + i], 4);
                Assert.Equal(m, max[(o * inner) + i]);
                Assert.Equal(mi, idx[(o * inner) + i]);
            }
        }
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(3, 16)]
    [InlineData(16, 3)]
    [InlineData(8, 8)]
    [InlineData(17, 33)]
    [InlineData(126, 7)]
    [InlineData(40, 75)]
    public void Transpose2DMatchesTheLoop(int rows, int cols)
    {
        // Floats take 8×8 AVX blocks where AVX is there, doubles the plain blocked loop; both against the definition.
        var x = Random(rows * cols, 7);
        var d = new float[rows * cols];
        Permute.Transpose2D<float>(x, rows, cols, d);
        var wide = x.Select(v => (double)v).ToArray();
        var dd = new double[rows * cols];
        Permute.Transpose2D<double>(wide, rows, cols, dd);
        for (var i = 0; i < rows; i++)
        {
            for (var j = 0; j < cols; j++)
            {
                Assert.Equal(x[(i * cols) + j], d[(j * rows) + i]);
                Assert.Equal(wide[(i * cols) + j], dd[(j * rows) + i]);
            }
        }
    }

    [Fact]
    public void PermuteMatchesReference()
    {
        int[] shape = [2, 3, 5];
        var x = Random(30, 6);
        var d = new float[30];
        Permute.Apply(x, shape, [2, 0, 1], d);
        for (var i = 0; i < 2; i++)
        {
            for (var j = 0; j < 3; j++)
            {
                for (var k = 0; k < 5; k++)
                {
                    Assert.Equal(x[(i * 15) + (j * 5) + k], d[(k * 6) + (i * 3) + j]);
                }
            }
        }
    }
}
