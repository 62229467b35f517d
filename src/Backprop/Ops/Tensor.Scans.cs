using Backprop.Kernels;

namespace Backprop;

public partial class Tensor
{
    /// <summary>The running sum along one dimension (torch.cumsum): element i is the sum of elements 0..i.</summary>
    /// <param name="dim">The dimension.</param>
    /// <returns>The running sums, of this tensor's shape.</returns>
    public Tensor CumSum(int dim)
    {
        RequireFloat32("CumSum", this);
        var (outer, size, inner) = Shapes.Split(Dims, Shapes.NormalizeDim("CumSum", dim, Rank));
        var result = NewOutput(Dims);
        Lines(Data, result.Data, outer, size, inner, reverse: false);
        if (NeedsGrad(this))
        {
            var input = this;

            // The gradient of a running sum is the running sum of the gradient taken from the end.
            result.Record("CumSum", [input], g =>
            {
                var d = RentGradArray(g.Length);
                Lines(g, d, outer, size, inner, reverse: true);
                input.DepositGrad(d, input.Dims, owned: true);
            });
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
        RequireFloat32("Prod", this);
        var (outShape, outer, size, inner) = ReducedShape("Prod", dim, keepDim);
        var x = Data;
        var result = NewOutput(outShape);
        var products = result.Data;
        for (var o = 0; o < outer; o++)
        {
            for (var i = 0; i < inner; i++)
            {
                var product = 1f;
                for (var j = 0; j < size; j++)
                {
                    product *= x[(((o * size) + j) * inner) + i];
                }

                products[(o * inner) + i] = product;
            }
        }

        if (NeedsGrad(this))
        {
            var input = this;
            result.Record("Prod", [input], g =>
            {
                var grad = input.GradAccumulator(out _);
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
            }, [input]);
        }

        return result;
    }

    /// <summary>The product of all elements, 0-d.</summary>
    /// <returns>The product.</returns>
    public Tensor Prod() => Reshape(Numel).Prod(0);

    /// <summary>Running sums of each line along the middle dimension of [outer, size, inner], from the front or from the end.</summary>
    private static void Lines(ReadOnlySpan<float> src, Span<float> dst, int outer, int size, int inner, bool reverse)
    {
        for (var o = 0; o < outer; o++)
        {
            for (var i = 0; i < inner; i++)
            {
                var sum = 0f;
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
