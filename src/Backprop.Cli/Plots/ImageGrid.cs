using Backprop.IO;
using SkiaSharp;

namespace Backprop.Cli.Plots;

/// <summary>
/// Small images (filters, feature maps) drawn as a grid of tiles in one PNG, each pixel enlarged to a
/// square so that a 3×3 filter is visible, with a gap between tiles; written atomically.
/// </summary>
internal static class ImageGrid
{
    private const int Gap = 2;

    /// <summary>How values become colours.</summary>
    public enum Scale
    {
        /// <summary>Blue for negative, white for zero, red for positive, one symmetric range for every tile (filters).</summary>
        Diverging,

        /// <summary>Black to white from each tile's own minimum to its maximum (feature maps).</summary>
        GreyPerTile,
    }

    /// <summary>Writes <paramref name="tiles"/> (each <paramref name="height"/>×<paramref name="width"/>, row-major) in rows of <paramref name="columns"/>; returns the path written.</summary>
    public static string Save(string path, IReadOnlyList<float[]> tiles, int height, int width, int columns, Scale scale)
    {
        path = Path.HasExtension(path) ? path : path + ".png";
        var zoom = Math.Max(1, (int)Math.Ceiling(64.0 / Math.Max(height, width)));
        var rows = (tiles.Count + columns - 1) / columns;
        var tileW = (width * zoom) + Gap;
        var tileH = (height * zoom) + Gap;
        using var bitmap = new SKBitmap((columns * tileW) + Gap, (rows * tileH) + Gap);
        bitmap.Erase(new SKColor(96, 96, 96));
        var range = tiles.SelectMany(t => t).Select(MathF.Abs).DefaultIfEmpty(0f).Max();
        for (var t = 0; t < tiles.Count; t++)
        {
            var tile = tiles[t];
            var (low, high) = (tile.Min(), tile.Max());
            var x0 = Gap + (t % columns * tileW);
            var y0 = Gap + (t / columns * tileH);
            for (var y = 0; y < height; y++)
            {
                for (var x = 0; x < width; x++)
                {
                    var v = tile[(y * width) + x];
                    var color = scale == Scale.Diverging ? Diverging(v, range) : Grey(v, low, high);
                    for (var dy = 0; dy < zoom; dy++)
                    {
                        for (var dx = 0; dx < zoom; dx++)
                        {
                            bitmap.SetPixel(x0 + (x * zoom) + dx, y0 + (y * zoom) + dy, color);
                        }
                    }
                }
            }
        }

        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        AtomicFile.Write(path, stream => data.SaveTo(stream));
        return path;
    }

    private static SKColor Diverging(float v, float range)
    {
        var s = range > 0 ? Math.Clamp(v / range, -1f, 1f) : 0f;
        var fade = (byte)(255 * (1 - Math.Abs(s)));
        return s >= 0 ? new SKColor(255, fade, fade) : new SKColor(fade, fade, 255);
    }

    private static SKColor Grey(float v, float low, float high)
    {
        var level = (byte)(high > low ? 255 * (v - low) / (high - low) : 0);
        return new SKColor(level, level, level);
    }
}
