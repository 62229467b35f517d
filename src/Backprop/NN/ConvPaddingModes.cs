namespace Backprop.NN;

/// <summary>What the convolution layers share: PyTorch's printout of their optional arguments.</summary>
internal static class ConvPaddingModes
{
    /// <summary>", padding=(1, 1), dilation=(2, 2), groups=2, bias=False, padding_mode=reflect" for the arguments that differ from the defaults (a null text: the default), in PyTorch's order.</summary>
    public static string Describe(string? padding, string? dilation, int groups, bool bias, PadMode mode, string? outputPadding = null)
    {
        var text = padding is null ? string.Empty : $", padding={padding}";
        if (outputPadding is not null)
        {
            text += $", output_padding={outputPadding}";
        }

        if (dilation is not null)
        {
            text += $", dilation={dilation}";
        }

        if (groups != 1)
        {
            text += $", groups={groups}";
        }

        if (!bias)
        {
            text += ", bias=False";
        }

        return mode == PadMode.Constant ? text : text + $", padding_mode={mode.ToString().ToLowerInvariant()}";
    }
}
