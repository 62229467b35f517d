using CsCheck;

namespace Backprop.Tests.Ops;

/// <summary>
/// Broadcasting, reductions and shape ops against plain reference loops on random shapes (CsCheck; each
/// property 300 cases from a fixed seed, shrunk to the smallest failing one on failure).
/// </summary>
public class PropertyTests
{
    /// <summary>The fixed seed of the cases.</summary>
    private const string Seed = "aqzLsKYokVw2";

    private static readonly Gen<int[]> Shape = Gen.Int[1, 4].SelectMany(rank => Gen.Int[1, 5].Array[rank]);

    /// <summary>A shape and one that broadcasts to it: some dimensions 1, some leading ones dropped.</summary>
    private static readonly Gen<(int[] A, int[] B)> Broadcastable =
        from a in Shape
        from ones in Gen.Bool.Array[a.Length]
        from drop in Gen.Int[0, a.Length - 1]
        from swap in Gen.Bool
        let b = a.Select((d, i) => ones[i] ? 1 : d).Skip(drop).ToArray()
        select swap ? (b, a) : (a, b);

    [Fact]
    public void BroadcastingAddAndMulMatchAReferenceLoop() =>
        Check(Broadcastable, shapes =>
        {
            var (sa, sb) = shapes;
            var a = Tensor.Randn(sa, new Generator(1));
            var b = Tensor.Randn(sb, new Generator(2));
            var shape = BroadcastShape(sa, sb);
            Assert.Equal(shape, (a + b).Shape);
            Assert.Equal(Reference(a, b, shape, (x, y) => x + y), (a + b).ToArray());
            Assert.Equal(Reference(a, b, shape, (x, y) => x * y), (a * b).ToArray());
        });

    [Fact]
    public void SumAndMeanAlongADimensionMatchAReferenceLoop() =>
        Check(Shape.SelectMany(s => Gen.Int[0, s.Length - 1].Select(d => (s, d))), c =>
        {
            var (shape, dim) = c;
            var x = Tensor.Randn(shape, new Generator(3));
            var data = x.ToArray();
            int outer = shape[..dim].Aggregate(1, (p, q) => p * q), size = shape[dim], inner = shape[(dim + 1)..].Aggregate(1, (p, q) => p * q);
            var expected = new double[outer * inner];
            for (var o = 0; o < outer; o++)
            {
                for (var j = 0; j < size; j++)
                {
                    for (var i = 0; i < inner; i++)
                    {
                        expected[(o * inner) + i] += data[(((o * size) + j) * inner) + i];
                    }
                }
            }

            var sum = x.Sum(dim).ToArray();
            var mean = x.Mean(dim, keepDim: true).ToArray();
            for (var k = 0; k < expected.Length; k++)
            {
                Assert.True(Math.Abs(expected[k] - sum[k]) <= 1e-5 * Math.Max(1, Math.Abs(expected[k])), $"sum {k}: {expected[k]} vs {sum[k]}");
                Assert.True(Math.Abs((expected[k] / size) - mean[k]) <= 1e-5 * Math.Max(1, Math.Abs(expected[k])), $"mean {k}: {expected[k] / size} vs {mean[k]}");
            }
        });

    [Fact]
    public void PermuteAndFlipMoveEveryElementWhereTheReferenceDoes() =>
        Check(Shape.SelectMany(s => Gen.Int.Array[s.Length].Select(keys => (s, keys))), c =>
        {
            var (shape, keys) = c;
            var perm = Enumerable.Range(0, shape.Length).OrderBy(i => keys[i]).ThenBy(i => i).ToArray();
            var x = Tensor.Randn(shape, new Generator(4));
            var permuted = x.Permute(perm);
            var flipped = x.Flip(perm[0]);
            var coordinates = new int[shape.Length];
            for (var k = 0; k < x.Numel; k++)
            {
                var value = x.ToArray()[k];
                Assert.Equal(value, permuted[[.. perm.Select(p => coordinates[p])]]);
                var mirrored = (int[])coordinates.Clone();
                mirrored[perm[0]] = shape[perm[0]] - 1 - mirrored[perm[0]];
                Assert.Equal(value, flipped[mirrored]);
                Backprop.Kernels.Shapes.Increment(coordinates, shape);
            }
        });

    /// <summary>Runs <paramref name="property"/> on 300 cases drawn from one fixed seed, so that every run checks the same cases; a failure shrinks the list.</summary>
    private static void Check<T>(Gen<T> cases, Action<T> property) =>
        cases.Array[300].Sample(
            all =>
            {
                foreach (var c in all)
                {
                    property(c);
                }
            },
            iter: 1,
            seed: Seed);

    private static int[] BroadcastShape(int[] a, int[] b)
    {
        var rank = Math.Max(a.Length, b.Length);
        return [.. Enumerable.Range(0, rank).Select(i =>
        {
            var da = i < rank - a.Length ? 1 : a[i - (rank - a.Length)];
            var db = i < rank - b.Length ? 1 : b[i - (rank - b.Length)];
            return Math.Max(da, db);
        })];
    }

    private static float[] Reference(Tensor a, Tensor b, int[] shape, Func<float, float, float> op)
    {
        float[] av = a.ToArray(), bv = b.ToArray();
        var result = new float[shape.Aggregate(1, (p, q) => p * q)];
        var coordinates = new int[shape.Length];
        for (var k = 0; k < result.Length; k++)
        {
            result[k] = op(av[Offset(a.Shape, coordinates)], bv[Offset(b.Shape, coordinates)]);
            Backprop.Kernels.Shapes.Increment(coordinates, shape);
        }

        return result;
    }

    /// <summary>The flat offset in a tensor of <paramref name="own"/> (broadcast) of output coordinates.</summary>
    private static int Offset(int[] own, int[] coordinates)
    {
        var lead = coordinates.Length - own.Length;
        var offset = 0;
        for (var i = 0; i < own.Length; i++)
        {
            offset = (offset * own[i]) + (own[i] == 1 ? 0 : coordinates[lead + i]);
        }

        return offset;
    }
}
