using Backprop.Kernels.Pooling;

namespace Backprop;

public partial class Tensor
{
    /// <summary>
    /// The taps of every window of every plane, [planes·outH·outW, taps], as flat input positions: taps is the most
    /// any window has, and a window with fewer (at a border, or an adaptive one) fills the rest with −1.
    /// </summary>
    private static (int[] Positions, int Taps) WindowPositions(PoolAxis rows, PoolAxis cols, int planes)
    {
        int tapRows = rows.Count.DefaultIfEmpty(0).Max(), tapCols = cols.Count.DefaultIfEmpty(0).Max(), taps = tapRows * tapCols;
        var inPlane = rows.Input * cols.Input;
        var positions = new int[planes * rows.Output * cols.Output * taps];
        var k = 0;
        for (var p = 0; p < planes; p++)
        {
            for (var oy = 0; oy < rows.Output; oy++)
            {
                for (var ox = 0; ox < cols.Output; ox++)
                {
                    for (var a = 0; a < tapRows; a++)
                    {
                        for (var b = 0; b < tapCols; b++)
                        {
                            var inside = a < rows.Count[oy] && b < cols.Count[ox];
                            var r = rows.First[oy] + (a * rows.Dilation);
                            var c = cols.First[ox] + (b * cols.Dilation);
                            positions[k++] = inside ? (p * inPlane) + (r * cols.Input) + c : -1;
                        }
                    }
                }
            }
        }

        return (positions, taps);
    }

    /// <summary>
    /// Max pooling as tensor ops: the float64 path, and the fused kernel's backward through tensor ops. The windows
    /// are gathered (missing taps as −∞) and reduced with Max, which keeps the first maximum and lets NaN win.
    /// </summary>
    private static (Tensor Values, Tensor Indices) MaxPoolComposed(string op, Tensor x, PoolAxis rows, PoolAxis cols, int planes, int[] outShape)
    {
        var (positions, taps) = WindowPositions(rows, cols, planes);
        var windows = x.TakeAt(op, positions, [planes * rows.Output * cols.Output, taps], double.NegativeInfinity);
        var (values, picked) = windows.MaxWithIndices(1);
        var indices = NewOutput<long>(outShape);
        var (at, where) = (picked.Storage<long>(), indices.Storage<long>());
        var inPlane = rows.Input * cols.Input;
        for (var i = 0; i < where.Length; i++)
        {
            where[i] = positions[(i * taps) + at[i]] % inPlane;
        }

        return (values.Reshape(outShape), indices);
    }

    /// <summary>Average pooling as tensor ops (see <see cref="MaxPoolComposed"/>): each window's sum over its divisor.</summary>
    private static Tensor AvgPoolComposed(string op, Tensor x, PoolAxis rows, PoolAxis cols, int planes, int divisorOverride, int[] outShape)
    {
        var (positions, taps) = WindowPositions(rows, cols, planes);
        var outPlane = rows.Output * cols.Output;
        var divisors = new double[outPlane];
        for (var oy = 0; oy < rows.Output; oy++)
        {
            for (var ox = 0; ox < cols.Output; ox++)
            {
                divisors[(oy * cols.Output) + ox] = divisorOverride > 0 ? divisorOverride : rows.Divisor[oy] * cols.Divisor[ox];
            }
        }

        var sums = x.TakeAt(op, positions, [planes, outPlane, taps]).Sum(2);
        return (sums / FromArray(divisors).To(x._dtype)).Reshape(outShape);
    }
}
