using Backprop.Autograd;
using Backprop.Kernels;

namespace Backprop;

public partial class Tensor
{
    /// <summary>The running sum along one dimension (torch.cumsum): element i is the sum of elements 0..i.</summary>
    /// <param name="dim">The dimension.</param>
    /// <returns>The running sums, of this tensor's shape.</returns>
    public Tensor CumSum(int dim)
    {
        var d = Shapes.NormalizeDim("CumSum", dim, Rank);
        var (outer, size, inner) = Shapes.Split(Dims, d);
        RequireFloating("CumSum", this);
        var float64 = _dtype == DType.Float64;
        var result = NewOutput(Dims, _dtype);
        if (float64)
        {
            Lines<double>(Storage<double>(), result.Storage<double>(), outer, size, inner, reverse: false);
        }
        else
        {
            Lines<float>(Data, result.Data, outer, size, inner, reverse: false);
        }

        if (NeedsGrad(this))
        {
            var input = this;

            // The gradient of a running sum is the running sum of the gradient taken from the end.
            result.Record("CumSum", [input], float64 ? null : g =>
            {
                var grad = RentGradArray(g.Length);
                Lines<float>(g, grad, outer, size, inner, reverse: true);
                input.DepositGrad(grad, input.Dims, owned: true);
            }, graph: (o, g, x) => [g.Flip(d).CumSum(d).Flip(d)]);
        }

        return result;
    }

    /// <summary>
    /// The product along one dimension (torch.prod). Its gradient is the product of the other elements, computed
    /// from prefix and suffix products, so that zeros are handled exactly.
    /// </summary>
    /// <param name="dim">The dimension.</param>
    /// <param name="keepDim">Keep the reduced dimension with size 1.</param>
    /// <returns>The products.</returns>
    public Tensor Prod(int dim, bool keepDim = false)
    {
        var (outShape, outer, size, inner) = ReducedShape("Prod", dim, keepDim);
        var d = Shapes.NormalizeDim("Prod", dim, Rank);
        GraphBackwardFn graph = (o, g, x) => [ProdBackward(x[0], keepDim ? g : g.Unsqueeze(d), d)];
        if (_dtype == DType.Float64)
        {
            var result64 = NewOutput<double>(outShape);
            Products<double>(Storage<double>(), outer, size, inner, result64.Storage<double>());
            if (NeedsGrad(this))
            {
                result64.Record("Prod", [this], null, [this], graph: graph);
            }

            return result64;
        }

        RequireFloat32("Prod", this);
        var x = Data;
        var result = NewOutput(outShape);
        Products<float>(x, outer, size, inner, result.Data);

        if (NeedsGrad(this))
        {
            var input = this;
            result.Record("Prod", [input], g =>
            {
                var grad = input.GradAccumulator();
                if (size == 0)
                {
                    return;
                }

                var suffix = new float[size];
                for (var o = 0; o < outer; o++)
                {
                    for (var i = 0; i < inner; i++)
                    {
                        // suffix[j] = x[j+1]·…·x[size−1]; the gradient of x[j] is g·(x[0]·…·x[j−1])·suffix[j].
                        suffix[size - 1] = 1f;
                        for (var j = size - 1; j > 0; j--)
                        {
                            suffix[j - 1] = suffix[j] * x[(((o * size) + j) * inner) + i];
                        }

                        var gi = g[(o * inner) + i];
                        var prefix = 1f;
                        for (var j = 0; j < size; j++)
                        {
                            grad[(((o * size) + j) * inner) + i] += gi * prefix * suffix[j];
                            prefix *= x[(((o * size) + j) * inner) + i];
                        }
                    }
                }
            }, [input], graph: graph);
        }

        return result;
    }

    /// <summary>
    /// The gradient of <see cref="Prod(int, bool)"/> through tensor ops: g times the product of the other elements
    /// of each line, formed as the product over a line-by-line matrix whose diagonal is 1 (exact with zeros).
    /// </summary>
    private static Tensor ProdBackward(Tensor x, Tensor g, int d)
    {
        var last = x.Rank - 1;
        var lines = x.Transpose(d, last);
        var n = x.Dims[d];
        var shape = lines.Dims.Append(n).ToArray();
        shape[^2] = n;
        var others = lines.Unsqueeze(-2).Expand(shape).MaskedFill(Eye(n).Gt(0.5), 1.0).Prod(-1);
        return g * others.Transpose(d, last);
    }

    /// <summary>dst[o, i] = Π_j src[o, j, i].</summary>
    private static void Products<T>(ReadOnlySpan<T> src, int outer, int size, int inner, Span<T> dst)
        where T : unmanaged, System.Numerics.INumber<T>
    {
        for (var o = 0; o < outer; o++)
        {
            for (var i = 0; i < inner; i++)
            {
                var product = T.One;
                for (var j = 0; j < size; j++)
                {
                    product *= src[(((o * size) + j) * inner) + i];
                }

                dst[(o * inner) + i] = product;
            }
        }
    }

    /// <summary>The product of all elements, 0-d.</summary>
    /// <returns>The product.</returns>
    public Tensor Prod() => Reshape(Numel).Prod(0);

    /// <summary>Running sums of each line along the middle dimension of [outer, size, inner], from the front or from the end.</summary>
    private static void Lines<T>(ReadOnlySpan<T> src, Span<T> dst, int outer, int size, int inner, bool reverse)
        where T : unmanaged, System.Numerics.INumber<T>
    {
        for (var o = 0; o < outer; o++)
        {
            for (var i = 0; i < inner; i++)
            {
                var sum = T.Zero;
                for (var step = 0; step < size; step++)
                {
                    var j = reverse ? size - 1 - step : step;
                    var at = (((o * size) + j) * inner) + i;
                    sum += src[at];
                    dst[at] = sum;
                }
            }
        }
    }
}
