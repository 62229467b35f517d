namespace Backprop.Cli.Training;

/// <summary>
/// `train --augment`: each training image of a batch is shifted by up to two pixels and rotated by up to
/// ten degrees (about its centre, bilinear, zeros outside), drawn from a generator seeded by the run's seed,
/// the epoch and the batch, so that a resumed run draws the same as one never interrupted.
/// </summary>
internal static class Augmentation
{
    private const float MaxShift = 2f;
    private const float MaxDegrees = 10f;

    /// <summary>Whether rows of <paramref name="features"/> values can be square grey images.</summary>
    public static bool IsSquare(int features) => Side(features) * Side(features) == features;

    /// <summary>A new batch of rows [N, side²]: each image moved and turned by its own random amount.</summary>
    public static Tensor Apply(Tensor rows, ulong seed, int epoch, int batch)
    {
        var random = new Generator(seed ^ (0x9E3779B97F4A7C15UL * (ulong)(((long)epoch << 32) | (uint)batch)));
        var features = rows.Size(1);
        var side = Side(features);
        var source = rows.ToArray();
        var target = new float[source.Length];
        var centre = (side - 1) / 2f;
        for (var n = 0; n < rows.Size(0); n++)
        {
            var dx = ((random.NextFloat() * 2f) - 1f) * MaxShift;
            var dy = ((random.NextFloat() * 2f) - 1f) * MaxShift;
            var angle = ((random.NextFloat() * 2f) - 1f) * MaxDegrees * MathF.PI / 180f;
            var (sin, cos) = MathF.SinCos(angle);
            var image = source.AsSpan(n * features, features);
            var output = target.AsSpan(n * features, features);
            for (var y = 0; y < side; y++)
            {
                for (var x = 0; x < side; x++)
                {
                    // The source pixel of (x, y): undo the shift, then the rotation about the centre.
                    float u = x - centre - dx, v = y - centre - dy;
                    var sx = (cos * u) + (sin * v) + centre;
                    var sy = (-sin * u) + (cos * v) + centre;
                    output[(y * side) + x] = Bilinear(image, side, sx, sy);
                }
            }
        }

        return Tensor.FromArray(target, rows.Shape);
    }

    private static int Side(int features) => (int)Math.Round(Math.Sqrt(features));

    private static float Bilinear(ReadOnlySpan<float> image, int side, float x, float y)
    {
        int x0 = (int)MathF.Floor(x), y0 = (int)MathF.Floor(y);
        float fx = x - x0, fy = y - y0;
        var top = ((1 - fx) * Pixel(image, side, x0, y0)) + (fx * Pixel(image, side, x0 + 1, y0));
        var bottom = ((1 - fx) * Pixel(image, side, x0, y0 + 1)) + (fx * Pixel(image, side, x0 + 1, y0 + 1));
        return ((1 - fy) * top) + (fy * bottom);
    }

    private static float Pixel(ReadOnlySpan<float> image, int side, int x, int y) =>
        (uint)x < (uint)side && (uint)y < (uint)side ? image[(y * side) + x] : 0f;
}
