using Backprop.Kernels;

namespace Backprop;

public partial class Tensor
{
    /// <summary>
    /// Resizes [N, C, H, W] (or [C, H, W]) images, as PyTorch's interpolate: to <paramref name="size"/>, or by
    /// <paramref name="scaleFactor"/> (one of the two), with nearest or bilinear sampling. Bilinear with
    /// <paramref name="alignCorners"/> maps the corner pixels onto each other; without it (the default) pixel
    /// centres are spaced evenly.
    /// </summary>
    /// <param name="input">The images.</param>
    /// <param name="size">The output's height and width, or null.</param>
    /// <param name="scaleFactor">The factor along height and width, or null.</param>
    /// <param name="mode">Nearest or bilinear.</param>
    /// <param name="alignCorners">Bilinear only: align the corner pixels.</param>
    /// <returns>The resized images.</returns>
    public static Tensor Upsample(Tensor input, Size2? size = null, double? scaleFactor = null, UpsampleMode mode = UpsampleMode.Nearest, bool alignCorners = false)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank == 3)
        {
            return Upsample(input.Unsqueeze(0), size, scaleFactor, mode, alignCorners).Squeeze(0);
        }

        RequireFloating("Upsample", input);
        if (input.Rank != 4 || (size is null) == (scaleFactor is null) || scaleFactor is <= 0 || size is { H: <= 0 } or { W: <= 0 })
        {
            throw new ArgumentException($"Upsample: input {Shapes.Format(input.Dims)} must be [N, C, H, W], with either a positive size or a positive scale factor (not both).", nameof(input));
        }

        if (alignCorners && mode == UpsampleMode.Nearest)
        {
            throw new ArgumentException("Upsample: alignCorners applies to bilinear mode only, as in PyTorch.", nameof(alignCorners));
        }

        int inH = input.Dims[2], inW = input.Dims[3];
        var outH = size?.H ?? (int)Math.Floor(inH * scaleFactor!.Value);
        var outW = size?.W ?? (int)Math.Floor(inW * scaleFactor!.Value);
        double Scale(int i, int o) => alignCorners ? (o > 1 ? (i - 1) / (double)(o - 1) : 0) : scaleFactor is { } f ? 1 / f : i / (double)o;
        var bilinear = mode == UpsampleMode.Bilinear;
        var rows = Resample.Axis(inH, outH, Scale(inH, outH), bilinear, alignCorners);
        var cols = Resample.Axis(inW, outW, Scale(inW, outW), bilinear, alignCorners);
        var planes = input.Dims[0] * input.Dims[1];
        if (input._dtype == DType.Float64)
        {
            return UpsampleComposed(input, rows, cols, bilinear);
        }

        var result = NewOutput([input.Dims[0], input.Dims[1], outH, outW]);
        Resample.Forward(input.Data, result.Data, planes, inH, inW, rows, cols);
        if (NeedsGrad(input))
        {
            result.Record("Upsample", [input], dy =>
            {
                var dx = RentZeroedGradArray(input.Numel);
                Resample.Backward(dy, dx, planes, inH, inW, rows, cols);
                input.DepositGrad(dx, input.Dims, owned: true);
            }, graph: Recomputed(x => UpsampleComposed(x[0], rows, cols, bilinear)));
        }

        return result;
    }

    /// <summary>
    /// Upsample as tensor ops: the float64 path, and the kernel's backward through tensor ops. Nearest is one gather;
    /// bilinear mixes the four gathered corners with the axes' weights.
    /// </summary>
    private static Tensor UpsampleComposed(Tensor x, (int[] I0, int[] I1, double[] Lambda) rows, (int[] I0, int[] I1, double[] Lambda) cols, bool bilinear)
    {
        int planes = x.Dims[0] * x.Dims[1], inH = x.Dims[2], inW = x.Dims[3], outH = rows.I0.Length, outW = cols.I0.Length;
        int[] shape = [x.Dims[0], x.Dims[1], outH, outW];
        Tensor Corner(int[] r, int[] c)
        {
            var positions = new int[planes * outH * outW];
            for (int p = 0, k = 0; p < planes; p++)
            {
                for (var oy = 0; oy < outH; oy++)
                {
                    for (var ox = 0; ox < outW; ox++)
                    {
                        positions[k++] = (((p * inH) + r[oy]) * inW) + c[ox];
                    }
                }
            }

            return x.TakeAt("Upsample", positions, shape);
        }

        if (!bilinear)
        {
            return Corner(rows.I0, cols.I0);
        }

        var ly = FromArray(rows.Lambda).To(x._dtype).Reshape(outH, 1);
        var lx = FromArray(cols.Lambda).To(x._dtype).Reshape(1, outW);
        var upper = (Corner(rows.I0, cols.I0) * (1.0 - lx)) + (Corner(rows.I0, cols.I1) * lx);
        var lower = (Corner(rows.I1, cols.I0) * (1.0 - lx)) + (Corner(rows.I1, cols.I1) * lx);
        return (upper * (1.0 - ly)) + (lower * ly);
    }
}
