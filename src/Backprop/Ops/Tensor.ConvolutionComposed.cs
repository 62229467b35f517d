using Backprop.Kernels.Convolution;

namespace Backprop;

public partial class Tensor
{
    /// <summary>
    /// im2col as a gather: for the columns [N, C·kH·kW, L] of geometry <paramref name="g"/> (its groups ignored),
    /// the flat input position each element reads, or −1 where the patch reaches into the padding.
    /// </summary>
    private static int[] ColumnPositions(ConvGeometry g)
    {
        int taps = g.KernelH * g.KernelW, rows = g.InChannels * taps, columns = g.OutPlane;
        var positions = new int[g.Batch * rows * columns];
        var k = 0;
        for (var n = 0; n < g.Batch; n++)
        {
            for (var row = 0; row < rows; row++)
            {
                int c = row / taps, ki = row % taps / g.KernelW, kj = row % g.KernelW;
                var plane = ((n * g.InChannels) + c) * g.InPlane;
                for (var oh = 0; oh < g.OutH; oh++)
                {
                    var ih = (oh * g.StrideH) - g.PadH + (ki * g.DilationH);
                    for (var ow = 0; ow < g.OutW; ow++)
                    {
                        var iw = (ow * g.StrideW) - g.PadW + (kj * g.DilationW);
                        positions[k++] = ih >= 0 && ih < g.InH && iw >= 0 && iw < g.InW ? plane + (ih * g.InW) + iw : -1;
                    }
                }
            }
        }

        return positions;
    }

    /// <summary>Unfold (im2col) as tensor ops: the float64 path, and the fused kernel's backward through tensor ops.</summary>
    private static Tensor UnfoldComposed(Tensor x, ConvGeometry g) =>
        x.TakeAt("Unfold", ColumnPositions(g), [g.Batch, g.InChannels * g.KernelH * g.KernelW, g.OutPlane]);

    /// <summary>Fold (col2im), Unfold's adjoint, as tensor ops.</summary>
    private static Tensor FoldComposed(Tensor columns, ConvGeometry g) =>
        columns.PutAddAt(ColumnPositions(g), [g.Batch, g.InChannels, g.InH, g.InW]);

    /// <summary>
    /// Conv2d as tensor ops: the columns of each group times its filters, W[G, Cout/G, C/G·kH·kW] · cols[N, G, C/G·kH·kW, L].
    /// </summary>
    private static Tensor Conv2dComposed(Tensor x, Tensor weight, Tensor? bias, ConvGeometry g)
    {
        var columns = UnfoldComposed(x, g).Reshape(g.Batch, g.Groups, g.ColumnRows, g.OutPlane);
        var filters = weight.Reshape(g.Groups, g.GroupOutChannels, g.ColumnRows);
        var y = filters.MatMul(columns).Reshape(g.Batch, g.OutChannels, g.OutH, g.OutW);
        return bias is null ? y : y + bias.Reshape(1, g.OutChannels, 1, 1);
    }

    /// <summary>
    /// ConvTranspose2d as tensor ops: the input gradient of the matching convolution <paramref name="g"/> (from
    /// [N, Cout, outH, outW] to the input), columns Wᵀ·x folded back into the output.
    /// </summary>
    private static Tensor ConvTranspose2dComposed(Tensor x, Tensor weight, Tensor? bias, ConvGeometry g)
    {
        var input = x.Reshape(g.Batch, g.Groups, g.GroupOutChannels, g.OutPlane);
        var filters = weight.Reshape(g.Groups, g.GroupOutChannels, g.ColumnRows);
        var columns = filters.Transpose(1, 2).MatMul(input).Reshape(g.Batch, g.InChannels * g.KernelH * g.KernelW, g.OutPlane);
        var y = FoldComposed(columns, g);
        return bias is null ? y : y + bias.Reshape(1, g.InChannels, 1, 1);
    }
}
