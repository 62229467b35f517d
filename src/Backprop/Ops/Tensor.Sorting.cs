using Backprop.Kernels;

namespace Backprop;

public partial class Tensor
{
    /// <summary>
    /// Sorts along one dimension, as torch.sort: the values (differentiable; the gradient goes back to where each
    /// value came from) and their int64 indices. Equal values keep their order; NaN sorts as the largest.
    /// </summary>
    /// <param name="dim">The dimension; negative counts from the end.</param>
    /// <param name="descending">Largest first.</param>
    /// <returns>The sorted values and their indices.</returns>
    public (Tensor Values, Tensor Indices) Sort(int dim = -1, bool descending = false)
    {
        var d = Shapes.NormalizeDim("Sort", dim, Rank);
        return Ranked("Sort", d, Dims[d], descending);
    }

    /// <summary>
    /// The <paramref name="k"/> largest (or smallest) elements along one dimension and their int64 indices, as
    /// torch.topk, in sorted order; the values are differentiable.
    /// </summary>
    /// <param name="k">How many, 0..size of the dimension.</param>
    /// <param name="dim">The dimension; negative counts from the end.</param>
    /// <param name="largest">The largest (true) or the smallest.</param>
    /// <returns>The values and their indices.</returns>
    public (Tensor Values, Tensor Indices) TopK(int k, int dim = -1, bool largest = true)
    {
        var d = Shapes.NormalizeDim("TopK", dim, Rank);
        if (k < 0 || k > Dims[d])
        {
            throw new ArgumentOutOfRangeException(nameof(k), $"TopK: k = {k} is outside [0, {Dims[d]}] for dimension {dim} of shape {Shapes.Format(Dims)}.");
        }

        return Ranked("TopK", d, k, largest);
    }

    /// <summary>The first <paramref name="keep"/> indices of each line along <paramref name="d"/> in sorted order, and the values gathered there.</summary>
    private (Tensor Values, Tensor Indices) Ranked(string op, int d, int keep, bool descending)
    {
        RequireFloating(op, this);

        var (outer, size, inner) = Shapes.Split(Dims, d);
        var shape = (int[])Dims.Clone();
        shape[d] = keep;
        var indices = NewOutput<long>(shape);
        var result = indices.Storage<long>();
        float[]? data32 = _dtype == DType.Float64 ? null : Data;
        double[]? data64 = _dtype == DType.Float64 ? Storage<double>() : null;
        var order = new int[size];
        var line = new double[size];
        Comparison<int> compare = (x, y) => Order(line, x, y, descending);
        for (var o = 0; o < outer; o++)
        {
            for (var i = 0; i < inner; i++)
            {
                for (var j = 0; j < size; j++)
                {
                    order[j] = j;
                    var at = (((o * size) + j) * inner) + i;
                    line[j] = data64 is null ? data32![at] : data64[at];
                }

                Array.Sort(order, compare);
                for (var j = 0; j < keep; j++)
                {
                    result[(((o * keep) + j) * inner) + i] = order[j];
                }
            }
        }

        return (Gather(d, indices), indices);
    }

    /// <summary>The order of two positions of a line: by value (NaN largest), then by position, so that the sort is stable.</summary>
    private static int Order(double[] line, int x, int y, bool descending)
    {
        double a = line[x], b = line[y];
        var byValue = double.IsNaN(a) ? (double.IsNaN(b) ? 0 : 1) : double.IsNaN(b) ? -1 : a.CompareTo(b);
        return byValue != 0 ? (descending ? -byValue : byValue) : x.CompareTo(y);
    }
}
