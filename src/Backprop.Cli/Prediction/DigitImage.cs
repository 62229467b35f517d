using SkiaSharp;

namespace Backprop.Cli.Prediction;

/// <summary>Turns a picture of a digit into MNIST's form: 28×28 grey levels in [0, 1], a light digit on a dark background.</summary>
internal static class DigitImage
{
    public const int Side = 28;

    /// <summary>Reads a PNG (or JPEG) file as 784 values in [0, 1], inverting a dark-on-light picture.</summary>
    public static float[] Load(string path)
    {
        using var original = SKBitmap.Decode(path)
            ?? throw new InvalidDataException($"{path}: not a readable PNG or JPEG image.");
        using var small = original.Resize(new SKImageInfo(Side, Side), new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear))
            ?? throw new InvalidDataException($"{path}: the image could not be scaled to {Side}×{Side}.");
        var pixels = new float[Side * Side];
        for (var y = 0; y < Side; y++)
        {
            for (var x = 0; x < Side; x++)
            {
                var c = small.GetPixel(x, y);
                var grey = ((0.299f * c.Red) + (0.587f * c.Green) + (0.114f * c.Blue)) / 255f;
                var alpha = c.Alpha / 255f;
                pixels[(y * Side) + x] = (grey * alpha) + (1f - alpha);
            }
        }

        if (pixels.Average() > 0.5f)
        {
            for (var i = 0; i < pixels.Length; i++)
            {
                pixels[i] = 1f - pixels[i];
            }
        }

        return pixels;
    }
}
