namespace Backprop;

/// <summary>How <see cref="Tensor.Upsample"/> fills the new pixels, as PyTorch's interpolate modes.</summary>
public enum UpsampleMode
{
    /// <summary>The nearest source pixel (PyTorch's 'nearest': source ⌊o·scale⌋).</summary>
    Nearest,

    /// <summary>The weighted mean of the four nearest source pixels (PyTorch's 'bilinear').</summary>
    Bilinear,
}
