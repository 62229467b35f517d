using SkiaSharp;

namespace Backprop.Cli.Prediction;

/// <summary>Turns a picture of a digit into MNIST's form: 28×28 grey levels in [0, 1], a light digit on a dark background.</summary>
internal static class DigitImage
{
    public const int Side = 28;

    /// <summary>Reads a PNG (or JPEG) file as 784 values in [0, 1], inverting a dark-on-light picture.</summary>
    public static float[] Load(string path)
    {
        using var original = Decode(path);
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

    /// <summary>Decodes the whole picture, refusing one whose data ends early (a truncated download) instead of predicting from part of it.</summary>
    private static SKBitmap Decode(string path)
    {
        using var codec = SKCodec.Create(path) ?? throw new DataFileException(path, 0, "expected a PNG or JPEG image.");
        var bitmap = new SKBitmap(codec.Info.WithColorType(SKColorType.Rgba8888).WithAlphaType(SKAlphaType.Unpremul));
        var result = codec.GetPixels(bitmap.Info, bitmap.GetPixels());
        if (result is not (SKCodecResult.Success))
        {
            bitmap.Dispose();
            throw new DataFileException(path, new FileInfo(path).Length, result == SKCodecResult.IncompleteInput
                ? $"the image data ends early (the file is truncated): only part of the {codec.Info.Width}×{codec.Info.Height} picture could be decoded."
                : $"the image could not be decoded ({result}).");
        }

        return bitmap;
    }
}
