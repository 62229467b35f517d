namespace Backprop.NN;

/// <summary>How PyTorch prints layer arguments: a number when both sizes of a pair agree, else the pair; True/False; doubles as Python does.</summary>
internal static class PyText
{
    /// <summary>"2" for (2, 2), "(2, 1)" otherwise.</summary>
    public static string Of(Size2 size) => size.H == size.W ? size.H.ToString(System.Globalization.CultureInfo.InvariantCulture) : size.ToString();

    /// <summary>"True" or "False".</summary>
    public static string Of(bool value) => value ? "True" : "False";

    /// <summary>A double as Python prints it: 1e-05, 0.1.</summary>
    public static string Of(double value)
    {
        var text = value.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
        return text.Contains('E', StringComparison.Ordinal)
            ? value.ToString("0.##############e-00", System.Globalization.CultureInfo.InvariantCulture)
            : text.Contains('.', StringComparison.Ordinal) ? text : text + ".0";
    }
}
