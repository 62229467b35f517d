using Backprop.Kernels.Elementwise;

namespace Backprop.Kernels.Convolution;

/// <summary>
/// im2col and col2im for one image and one group: the column matrix has a row per (input channel,
/// kernel row, kernel column) and a column per output position, so that a convolution is one GEMM,
/// W[Cout, C·kH·kW] · col[C·kH·kW, OutH·OutW]. Rows are copied as runs where the stride is 1.
/// </summary>
internal static class Im2Col
{
    /// <summary>Fills <paramref name="col"/> [ColumnRows, OutPlane] from the group's input planes <paramref name="x"/> [C/groups, H, W].</summary>
    public static void Unfold(in ConvGeometry g, ReadOnlySpan<float> x, Span<float> col)
    {
        var row = 0;
        for (var c = 0; c < g.GroupInChannels; c++)
        {
            var plane = x.Slice(c * g.InPlane, g.InPlane);
            for (var ki = 0; ki < g.KernelH; ki++)
            {
                for (var kj = 0; kj < g.KernelW; kj++)
                {
                    var dst = col.Slice(row++ * g.OutPlane, g.OutPlane);
                    var offH = (ki * g.DilationH) - g.PadH;
                    var offW = (kj * g.DilationW) - g.PadW;
                    var (ox0, ox1) = ValidColumns(g, offW);
                    for (var oy = 0; oy < g.OutH; oy++)
                    {
                        var d = dst.Slice(oy * g.OutW, g.OutW);
                        var iy = (oy * g.StrideH) + offH;
                        if ((uint)iy >= (uint)g.InH)
                        {
                            d.Clear();
                            continue;
                        }

                        d[..ox0].Clear();
                        d[ox1..].Clear();
                        var src = plane.Slice(iy * g.InW, g.InW);
                        if (g.StrideW == 1)
                        {
                            src.Slice(ox0 + offW, ox1 - ox0).CopyTo(d[ox0..ox1]);
                        }
                        else
                        {
                            for (var ox = ox0; ox < ox1; ox++)
                            {
                                d[ox] = src[(ox * g.StrideW) + offW];
                            }
                        }
                    }
                }
            }
        }
    }

    /// <summary>Adds the column matrix <paramref name="col"/> back into the group's input planes <paramref name="x"/> (col2im, the adjoint of <see cref="Unfold"/>).</summary>
    public static void FoldAdd(in ConvGeometry g, ReadOnlySpan<float> col, Span<float> x)
    {
        var row = 0;
        for (var c = 0; c < g.GroupInChannels; c++)
        {
            var plane = x.Slice(c * g.InPlane, g.InPlane);
            for (var ki = 0; ki < g.KernelH; ki++)
            {
                for (var kj = 0; kj < g.KernelW; kj++)
                {
                    var src = col.Slice(row++ * g.OutPlane, g.OutPlane);
                    var offH = (ki * g.DilationH) - g.PadH;
                    var offW = (kj * g.DilationW) - g.PadW;
                    var (ox0, ox1) = ValidColumns(g, offW);
                    if (ox1 <= ox0)
                    {
                        continue;
                    }

                    for (var oy = 0; oy < g.OutH; oy++)
                    {
                        var iy = (oy * g.StrideH) + offH;
                        if ((uint)iy >= (uint)g.InH)
                        {
                            continue;
                        }

                        var s = src.Slice(oy * g.OutW, g.OutW);
                        var dst = plane.Slice(iy * g.InW, g.InW);
                        if (g.StrideW == 1)
                        {
                            var run = dst.Slice(ox0 + offW, ox1 - ox0);
                            Elementwise.Elementwise.Map(run, s[ox0..ox1], run, default(AddOperator));
                        }
                        else
                        {
                            for (var ox = ox0; ox < ox1; ox++)
                            {
                                dst[(ox * g.StrideW) + offW] += s[ox];
                            }
                        }
                    }
                }
            }
        }
    }

    /// <summary>The output columns [begin, end) whose input column ox·stride + offset lies inside the image.</summary>
    private static (int Begin, int End) ValidColumns(in ConvGeometry g, int offset)
    {
        var begin = offset >= 0 ? 0 : (-offset + g.StrideW - 1) / g.StrideW;
        var last = g.InW - 1 - offset;
        var end = last < 0 ? 0 : Math.Min(g.OutW, (last / g.StrideW) + 1);
        begin = Math.Min(begin, g.OutW);
        return (begin, Math.Max(begin, end));
    }
}
