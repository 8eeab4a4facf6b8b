//! A minimal HTTP/1.1 client over a plain TCP stream, for the web view's
//! pages and for WebDriver (chromedriver speaks JSON over HTTP): one
//! request per connection, the whole answer read.

use std::io::{BufRead, Read, Write};
use std::net::TcpStream;

/// A status, the headers (names lowercased) and the body.
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

/// `method` `url` (`http://host:port/path`) with an optional JSON body.
pub fn request(method: &str, url: &str, body: Option<&str>) -> Answer {
    request_with(method, url, &[], body)
}

/// [`request`] with extra headers (`("Cookie", "a=b")`).
pub fn request_with(method: &str, url: &str, headers: &[(&str, &str)], body: Option<&str>) -> Answer {
    let rest = url.strip_prefix("http://").expect("an http:// address");
    let (host, path) = rest
        .split_once('/')
        .map_or((rest, "/".to_string()), |(h, p)| (h, format!("/{p}")));
    let mut stream = TcpStream::connect(host).unwrap_or_else(|e| panic!("connect to {host}: {e}"));
    let body = body.unwrap_or("");
    let extra: String = headers.iter().map(|(n, v)| format!("{n}: {v}\r\n")).collect();
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n{extra}Content-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).expect("send a request");
    stream.write_all(body.as_bytes()).expect("send a body");
    // Read the head, then the body by its length: a server may keep the
    // connection open whatever `Connection: close` asked.
    let mut reader = std::io::BufReader::new(stream);
    let mut head = String::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).expect("read an answer") == 0 || line == "\r\n" {
            break;
        }
        head.push_str(&line);
    }
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .expect("a status line");
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let length = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .and_then(|(_, v)| v.parse::<usize>().ok());
    let chunked = headers
        .iter()
        .any(|(n, v)| n == "transfer-encoding" && v.contains("chunked"));
    let body = if let Some(length) = length {
        let mut body = vec![0; length];
        reader.read_exact(&mut body).expect("read a body");
        String::from_utf8_lossy(&body).into_owned()
    } else if chunked {
        read_chunked(&mut reader)
    } else {
        let mut body = String::new();
        reader.read_to_string(&mut body).expect("read a body");
        body
    };
    Answer { status, headers, body }
}

fn read_chunked(reader: &mut impl BufRead) -> String {
    let mut out = Vec::new();
    loop {
        let mut size = String::new();
        reader.read_line(&mut size).expect("a chunk size");
        let Ok(size) = usize::from_str_radix(size.trim(), 16) else {
            break;
        };
        if size == 0 {
            break;
        }
        let mut chunk = vec![0; size + 2];
        reader.read_exact(&mut chunk).expect("a chunk");
        out.extend_from_slice(&chunk[..size]);
    }
    String::from_utf8_lossy(&out).into_owned()
}
